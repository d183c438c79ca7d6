/**
 * What a search space needs to know of the device it searches for. The
 * protocol's DeviceClass fits this shape; genome/ defines its own so that it
 * depends on nothing above it (protocol/ imports genome/, not the reverse).
 */
export type TargetFacts =
  | { readonly backend: 'wasm'; readonly relaxedSimd: boolean }
  | {
      readonly backend: 'webgpu';
      readonly features: readonly string[];
      readonly limits: Readonly<Record<string, number>>;
      /** WGSL language features (navigator.gpu.wgslLanguageFeatures) codegen may use; absent: none known. */
      readonly wgslFeatures?: readonly string[];
    };

export interface Target {
  readonly id: string;
  readonly label: string;
  readonly facts: TargetFacts;
}
