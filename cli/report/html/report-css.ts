/** The HTML report's styles, inline in the file so that it needs nothing else. */
export const REPORT_CSS = `
:root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --skip: #9a6700; --muted: #6e7781; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 16px 24px; }
h1 { font-size: 22px; margin: 8px 0; } h2 { font-size: 18px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; margin-top: 28px; }
h3 { font-size: 15px; margin: 12px 0 4px; } h3 small { color: var(--muted); font-weight: normal; }
.verdict { color: #fff; border-radius: 4px; padding: 2px 8px; font-size: 16px; vertical-align: middle; }
.verdict.passed { background: var(--ok); } .verdict.failed { background: var(--bad); }
.meta span { margin-right: 14px; color: var(--muted); } .meta b { color: inherit; font-weight: 600; }
table { border-collapse: collapse; margin: 6px 0; } th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; }
td.passed { color: var(--ok); } td.failed, td.error { color: var(--bad); font-weight: 600; } td.skipped { color: var(--skip); }
pre { white-space: pre-wrap; word-break: break-word; background: rgba(127,127,127,.1); padding: 6px 8px; border-radius: 4px; margin: 4px 0; }
ol.notes pre { background: none; padding: 0; margin: 0; }
.note { color: var(--muted); }
.chart text { font-size: 11px; fill: currentColor; } .chart .bar { fill: #0969da; } .chart .bar.failed { fill: var(--bad); }
.chart .p90 { stroke: #0969da; stroke-width: 2; } .chart .before { stroke: #fb8500; stroke-width: 3; }
.chart .trend.regression, td.trend.regression { fill: var(--bad); color: var(--bad); font-weight: 600; } .chart .trend.improvement, td.trend.improvement { fill: var(--ok); color: var(--ok); font-weight: 600; }
ul.tasks { list-style: none; padding: 0; } ul.tasks > li { border: 1px solid #d0d7de; border-radius: 6px; padding: 4px 12px; margin: 8px 0; }
ul.tasks > li.failed { border-left: 4px solid var(--bad); } li.case { list-style: none; margin: 2px 0; } li.case details { margin-left: 24px; }
.status { display: inline-block; min-width: 52px; font-weight: 600; } .status.passed { color: var(--ok); } .status.failed, .status.error { color: var(--bad); } .status.skipped, .status.todo { color: var(--skip); }
.time { color: var(--muted); }
#failures-only:checked ~ ul.tasks > li.passed, #failures-only:checked ~ ul.tasks li.case.passed { display: none; }
`;
