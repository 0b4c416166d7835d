/** The object without its keys whose value is undefined (as `exactOptionalPropertyTypes` wants). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
