import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  values: Array<number | null>;
}

interface ChartProps {
  /** The x values: seconds since the epoch, uPlot's time scale. */
  x: number[];
  series: ChartSeries[];
  height?: number;
  /** x values to mark with a vertical line (change points), each with what it means. */
  marks?: Array<{ x: number; color: string }>;
  yLabel?: string;
}

/** Draws vertical lines at the marks, over the plot. */
function marksPlugin(marks: () => ChartProps['marks']): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const { ctx } = u;
        for (const mark of marks() ?? []) {
          const left = u.valToPos(mark.x, 'x', true);
          ctx.save();
          ctx.strokeStyle = mark.color;
          ctx.lineWidth = 2 * devicePixelRatio;
          ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.beginPath();
          ctx.moveTo(left, u.bbox.top);
          ctx.lineTo(left, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.restore();
        }
      },
    },
  };
}

/** A uPlot time-series chart, made once and given new data as its props change. */
export function Chart({ x, series, height = 180, marks, yLabel }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const currentMarks = useRef(marks);
  currentMarks.current = marks;
  const shape = series.map((s) => s.label).join('\u0000');

  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const made = new uPlot(
      {
        width: Math.max(200, element.clientWidth),
        height,
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            points: { show: false },
          })),
        ],
        axes: [{}, { label: yLabel ?? '', size: 60 }],
        legend: { show: true },
        plugins: [marksPlugin(() => currentMarks.current)],
      },
      [x, ...series.map((s) => s.values)],
      element,
    );
    plot.current = made;
    const resize = new ResizeObserver(() =>
      made.setSize({ width: Math.max(200, element.clientWidth), height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      made.destroy();
      plot.current = undefined;
    };
    // A chart is made again only when its series change; new values go through setData.
  }, [shape, height, yLabel]);

  useEffect(() => {
    plot.current?.setData([x, ...series.map((s) => s.values)]);
  }, [x, series, marks]);

  return <div class="chart" ref={box} />;
}
