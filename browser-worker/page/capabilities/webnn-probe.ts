import type { BrowserCapabilities } from '../../../protocol/index.js';
import { errorText } from '../../../worker-core/index.js';

type WebnnCapabilities = BrowserCapabilities['webnn'];
type DeviceType = keyof WebnnCapabilities['deviceTypes'];

/** The part of WebNN the probe touches; the DOM types do not include WebNN yet. */
interface MachineLearning {
  createContext(options: { deviceType: DeviceType }): Promise<unknown>;
}

const DEVICE_TYPES: readonly DeviceType[] = ['cpu', 'gpu', 'npu'];

/** WebNN is available when a context can be created for at least one device type. */
export async function probeWebnn(): Promise<WebnnCapabilities> {
  const ml = (navigator as Navigator & { ml?: MachineLearning }).ml;
  if (ml === undefined) {
    const reason = 'navigator.ml is absent: this browser has no WebNN';
    const absent = { available: false, reason };
    return { available: false, reason, deviceTypes: { cpu: absent, gpu: absent, npu: absent } };
  }
  const deviceTypes = {} as WebnnCapabilities['deviceTypes'];
  for (const deviceType of DEVICE_TYPES) deviceTypes[deviceType] = await tryContext(ml, deviceType);
  const outcomes = Object.values(deviceTypes);
  if (outcomes.some((outcome) => outcome.available)) return { available: true, deviceTypes };
  return { available: false, reason: deviceTypes.cpu.reason, deviceTypes };
}

async function tryContext(ml: MachineLearning, deviceType: DeviceType) {
  try {
    await ml.createContext({ deviceType });
    return { available: true };
  } catch (error) {
    return { available: false, reason: errorText(error) };
  }
}
