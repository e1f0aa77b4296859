/**
 * Compares two JSON values by shape: member names and JSON types, recursively. Values are not
 * compared (a simulation's numbers are its own). Members named `x-svmtop-*` are svmtop's own and
 * are allowed; QEMU members svmtop leaves out must be listed, so every difference is explicit.
 */
export function shapeProblems(
  svmtop: unknown,
  qemu: unknown,
  options: {readonly omitted?: readonly string[]; readonly path?: string} = {},
): string[] {
  const path = options.path ?? '';
  const omitted = new Set(options.omitted ?? []);
  const problems: string[] = [];
  const typeOf = (value: unknown) =>
    value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (typeOf(svmtop) !== typeOf(qemu))
    return [`${path || '.'}: svmtop ${typeOf(svmtop)}, QEMU ${typeOf(qemu)}`];
  if (Array.isArray(svmtop) && Array.isArray(qemu)) {
    if (svmtop.length > 0 && qemu.length > 0)
      problems.push(...shapeProblems(svmtop[0], qemu[0], {omitted: [...omitted], path: `${path}[]`}));
    return problems;
  }
  if (typeOf(svmtop) !== 'object') return problems;
  const ours = svmtop as Record<string, unknown>;
  const theirs = qemu as Record<string, unknown>;
  for (const key of Object.keys(ours)) {
    const member = path ? `${path}.${key}` : key;
    if (key.startsWith('x-svmtop-')) continue;
    if (!(key in theirs)) problems.push(`${member}: svmtop has it, QEMU does not`);
    else problems.push(...shapeProblems(ours[key], theirs[key], {omitted: [...omitted], path: member}));
  }
  for (const key of Object.keys(theirs)) {
    const member = path ? `${path}.${key}` : key;
    if (!(key in ours) && !omitted.has(member))
      problems.push(`${member}: QEMU has it, svmtop does not (not listed as omitted)`);
  }
  return problems;
}
