type Growable = Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;

/** A copy of `a` with room for `size` elements, the new ones zero; for arrays that grow by doubling. */
export function enlarged<A extends Growable>(a: A, size: number): A {
  const b = new (a.constructor as new (length: number) => A)(size);
  b.set(a);
  return b;
}
