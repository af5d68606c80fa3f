// A calculator on math.js's expression parser, restricted to arithmetic: the parsed expression tree may hold
// only number literals, arithmetic operators, parentheses, and allow-listed functions and constants.
// Everything that reaches beyond arithmetic (assignments, function definitions, property access, matrices,
// units, strings, `import`/`evaluate`/`parse` inside expressions) is refused before evaluation, following the
// security notes of math.js; those functions are also disabled on the instance as a second line.
import { all, create, type MathNode } from 'mathjs';
import { z } from 'zod';
import { parametersOf, parseArguments, ToolError, type Tool } from './tool.js';

const math = create(all!, { number: 'number' });
const parseExpression = math.parse;
const refuse = () => {
  throw new Error('disabled in the calculator');
};
math.import({ import: refuse, createUnit: refuse, evaluate: refuse, parse: refuse, simplify: refuse, derivative: refuse, compile: refuse, resolve: refuse, reviver: refuse }, { override: true });

const allowedOperators = new Set(['add', 'subtract', 'multiply', 'divide', 'pow', 'mod', 'unaryMinus', 'unaryPlus', 'factorial']);
const allowedFunctions = new Set([
  'abs', 'sqrt', 'cbrt', 'exp', 'log', 'log10', 'log2', 'log1p', 'pow', 'mod', 'round', 'floor', 'ceil', 'fix', 'sign',
  'min', 'max', 'mean', 'median', 'sum', 'prod', 'gcd', 'lcm', 'hypot', 'factorial',
  'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'sinh', 'cosh', 'tanh',
]);
const allowedConstants = new Set(['pi', 'e', 'tau', 'phi']);
/** Factorials and combinatorics above this are Infinity for 64-bit floats anyway; refusing keeps work bounded. */
const largestFactorialArgument = 170;

const argumentsSchema = z.object({
  expression: z.string().min(1).max(500).describe('Arithmetic expression, e.g. "(1200 * 1.07^3) / 12" or "sqrt(2) * pi"'),
});

function checkNode(node: MathNode, parent: MathNode | null): void {
  switch (node.type) {
    case 'ConstantNode': {
      const value = (node as unknown as { value: unknown }).value;
      if (typeof value !== 'number') throw new Error('only numbers are allowed');
      if (parent?.type === 'OperatorNode' && (parent as unknown as { fn: string }).fn === 'factorial' && value > largestFactorialArgument) {
        throw new Error(`factorial is limited to ${largestFactorialArgument}`);
      }
      return;
    }
    case 'ParenthesisNode':
      return;
    case 'OperatorNode': {
      const fn = (node as unknown as { fn: string }).fn;
      if (!allowedOperators.has(fn)) throw new Error(`operator ${JSON.stringify((node as unknown as { op: string }).op)} is not allowed`);
      return;
    }
    case 'FunctionNode': {
      const fn = (node as unknown as { fn: MathNode }).fn;
      const name = fn.type === 'SymbolNode' ? (fn as unknown as { name: string }).name : '';
      if (!allowedFunctions.has(name)) throw new Error(`function ${JSON.stringify(name || fn.type)} is not allowed`);
      return;
    }
    case 'SymbolNode': {
      const name = (node as unknown as { name: string }).name;
      const isCalledFunction = parent?.type === 'FunctionNode' && (parent as unknown as { fn: MathNode }).fn === node;
      if (!isCalledFunction && !allowedConstants.has(name)) throw new Error(`unknown name ${JSON.stringify(name)}`);
      return;
    }
    default:
      throw new Error(`${node.type.replace(/Node$/, '').toLowerCase()} expressions are not allowed`);
  }
}

/** Parses and checks an expression, then evaluates it; throws with a readable message when refused. */
export function calculate(expression: string): number {
  let tree: MathNode;
  try {
    tree = parseExpression(expression);
  } catch (error) {
    throw new Error(`cannot parse the expression: ${(error as Error).message}`);
  }
  tree.traverse((node, _path, parent) => checkNode(node, parent));
  const value: unknown = tree.compile().evaluate({});
  if (typeof value !== 'number') throw new Error('the expression does not evaluate to a number');
  return value;
}

export function createCalculatorTool(): Tool {
  const name = 'calculator';
  return {
    name,
    description: 'Evaluates an arithmetic expression exactly and returns the number. Supports + - * / ^ % !, parentheses, pi, e and common functions (sqrt, log, round, min, max, sin, …). Use it for any calculation instead of estimating.',
    parameters: parametersOf(argumentsSchema),
    async run(args) {
      const { expression } = parseArguments(name, argumentsSchema, args);
      let value: number;
      try {
        value = calculate(expression);
      } catch (error) {
        throw new ToolError(name, 'invalid_arguments', (error as Error).message, false);
      }
      const formatted = math.format(value, { precision: 14 });
      return { content: `${expression} = ${formatted}`, source: { tool: name, title: `Calculation: ${expression}` } };
    },
    accepts(args) {
      const parsed = argumentsSchema.safeParse(args);
      if (!parsed.success) return false;
      try {
        calculate(parsed.data.expression);
        return true;
      } catch {
        return false;
      }
    },
    examples: [{ request: 'What is 2 + 3?', arguments: { expression: '2 + 3' } }],
  };
}
