/** The slots holding one keyword term and the term's weight in each, in parallel typed arrays. */
export class PostingList {
  private slots = new Int32Array(4);
  private weights = new Float32Array(4);
  size = 0;

  add(slot: number, weight: number): void {
    if (this.size === this.slots.length) {
      const slots = new Int32Array(this.size * 2);
      const weights = new Float32Array(this.size * 2);
      slots.set(this.slots);
      weights.set(this.weights);
      this.slots = slots;
      this.weights = weights;
    }
    this.slots[this.size] = slot;
    this.weights[this.size] = weight;
    this.size += 1;
  }

  /** Removes a slot by moving the last entry into its place. */
  remove(slot: number): void {
    const position = this.slots.subarray(0, this.size).indexOf(slot);
    if (position < 0) return;
    this.size -= 1;
    this.slots[position] = this.slots[this.size]!;
    this.weights[position] = this.weights[this.size]!;
  }

  forEach(visit: (slot: number, weight: number) => void): void {
    for (let position = 0; position < this.size; position += 1) visit(this.slots[position]!, this.weights[position]!);
  }
}
