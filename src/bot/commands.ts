// Commands work at any point, but only as the whole message: "I can't stop shaking" must never mean "cancel". A bare
// "?" is not one: it is a question back about the pending question ("what do you mean?"), which the intake answers.
export type Command = 'help' | 'start over' | 'cancel' | 'delete my data';

const COMMANDS: Record<string, Command> = {
  help: 'help', ayuda: 'help',
  'start over': 'start over', restart: 'start over', 'start again': 'start over', 'empezar de nuevo': 'start over',
  cancel: 'cancel', quit: 'cancel', cancelar: 'cancel',
  'delete my data': 'delete my data', 'forget me': 'delete my data', 'delete my information': 'delete my data',
  'borrar mis datos': 'delete my data',
};

export function matchCommand(text: string): Command | undefined {
  const t = text.toLowerCase().replace(/[.!¡¿]+/g, ' ').replace(/\s+/g, ' ').trim();
  return COMMANDS[t];
}
