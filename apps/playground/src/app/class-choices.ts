/** Classes marked as the model's top choices in an object's class list. */
export const MARKED_CLASS_COUNT = 3;

/** One entry of an object's class list. */
export interface ClassChoice {
  /** Index in the checkpoint's class names. */
  classIndex: number;
  /** Class name. */
  name: string;
  /** The model's probability for the class (0…1), when the object has a prediction. */
  probability?: number;
  /** 1 … MARKED_CLASS_COUNT for the model's most probable classes; undefined for the rest. */
  topRank?: number;
}

/**
 * An object's class list: ordered by the model's class probabilities (most probable first, ties by class
 * index) with the first `MARKED_CLASS_COUNT` marked, so a wrong first guess is one pick away; in class-index
 * order when there are no probabilities (no prediction yet) or they do not match the class names.
 */
export function orderClassChoices(classNames: readonly string[], probabilities: ArrayLike<number> | undefined): ClassChoice[] {
  const choices = classNames.map((name, classIndex): ClassChoice => ({ classIndex, name }));
  if (!probabilities || probabilities.length !== classNames.length) return choices;
  for (const choice of choices) choice.probability = probabilities[choice.classIndex];
  choices.sort((left, right) => right.probability! - left.probability! || left.classIndex - right.classIndex);
  choices.slice(0, MARKED_CLASS_COUNT).forEach((choice, index) => (choice.topRank = index + 1));
  return choices;
}

/** Text of a choice in the list: `★ chair · 62%` for a marked one, `sofa · 3%` otherwise, the name alone without a prediction. */
export function formatClassChoice(choice: ClassChoice): string {
  if (choice.probability === undefined) return choice.name;
  const percent = choice.probability * 100;
  return `${choice.topRank ? '★ ' : ''}${choice.name} · ${percent < 1 ? '<1' : percent.toFixed(0)}%`;
}

/**
 * Appends the class list of an object to its `<select>`: one option per class in {@link orderClassChoices}'s
 * order, the class in force (the person's choice, else the prediction) selected. Options carry
 * `data-probability` and, for the marked ones, `data-top-rank`.
 */
export function appendClassOptions(select: HTMLSelectElement, classNames: readonly string[], probabilities: ArrayLike<number> | undefined, selectedIndex: number): void {
  for (const choice of orderClassChoices(classNames, probabilities)) {
    const option = new Option(formatClassChoice(choice), String(choice.classIndex), false, choice.classIndex === selectedIndex);
    if (choice.probability !== undefined) option.dataset.probability = String(choice.probability);
    if (choice.topRank !== undefined) {
      option.dataset.topRank = String(choice.topRank);
      option.className = 'top-class';
    }
    select.append(option);
  }
}
