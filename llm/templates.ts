import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseOrThrow } from '../lib/errors.ts';
import { PromptGenome } from './prompt.ts';

/** Templates live in the repo as text (llm/templates/), so a prompt change is a reviewed diff. */
export function template(name: 'meta' | 'review'): string {
  return readFileSync(new URL(`./templates/${name}.md`, import.meta.url), 'utf8');
}

/** {{name}} -> vars[name]; a placeholder without a value is a bug in the caller, so it throws. */
export function fill(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new RangeError(`template placeholder {{${name}}} has no value`);
    return value;
  });
}

/** The generation-0 prompts every campaign starts from. */
export function seedPrompts(): PromptGenome[] {
  const text = readFileSync(new URL('./templates/seed-prompts.json', import.meta.url), 'utf8');
  return parseOrThrow(z.array(PromptGenome), JSON.parse(text), 'llm/templates/seed-prompts.json');
}
