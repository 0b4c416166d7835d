/** Measured on a headless Linux box: see docs/browsers.md. */
const BASE_ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** WebGPU on SwiftShader, Chromium's software GPU, for machines without a GPU. */
const SOFTWARE_WEBGPU_ARGS = [
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-unsafe-swiftshader',
];

/** Chromium's command line flags; the driver adds the fresh `--user-data-dir`. */
export function chromiumArgs(softwareWebGpu: boolean): string[] {
  return softwareWebGpu ? [...BASE_ARGS, ...SOFTWARE_WEBGPU_ARGS] : BASE_ARGS;
}
