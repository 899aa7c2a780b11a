import { createInterface } from 'node:readline';

/** Asks for a secret on a TTY without echoing it. */
export function promptHidden(question: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, output, terminal: true });
    const writable = rl as unknown as { _writeToOutput: (text: string) => void };
    let asked = false;
    writable._writeToOutput = (text: string) => {
      // Print the question once, then nothing of what is typed.
      if (!asked) {
        asked = true;
        output.write(text);
      }
    };
    rl.question(question, (answer) => {
      rl.close();
      output.write('\n');
      resolve(answer);
    });
  });
}
