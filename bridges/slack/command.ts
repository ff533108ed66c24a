/** What `/text <number> <message>` asks for, or why it cannot be read. */
export type TextCommand = { readonly handle: string; readonly text: string } | { readonly error: string };

/**
 * Reads `/text +1 (555) 987-6543 Hello there` (or an Apple ID email instead of the number). The number
 * must be international (E.164, starting with +): a bridge serving several countries cannot guess.
 * The number may be written with spaces (`+44 20 7946 0958`) unless its first word is already a whole
 * number, so a message may start with digits (`+15559876543 5 pm works?`).
 */
export function parseTextCommand(input: string, command: string): TextCommand {
  const usage = `Usage: ${command} +15551234567 Your message (an international number, or an Apple ID email)`;
  const trimmed = input.trim();
  const email = /^(\S+@\S+\.\S+)\s+([\s\S]+)$/.exec(trimmed);
  if (email) return { handle: email[1]!.toLowerCase(), text: email[2]!.trim() };
  const spaced = /^(\+[\d\s().-]*\d)\s+([\s\S]+)$/.exec(trimmed);
  const compact = /^(\+[\d().-]*\d)\s+([\s\S]+)$/.exec(trimmed);
  // A first word that is already a whole number wins: the message may itself start with digits.
  for (const match of [compact, spaced]) {
    if (!match) continue;
    const digits = match[1]!.replace(/\D/g, '');
    if (digits.length >= 7 && digits.length <= 15) return { handle: `+${digits}`, text: match[2]!.trim() };
  }
  return { error: usage };
}
