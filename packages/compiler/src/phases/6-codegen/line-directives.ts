// `#line` maps generated statements to the `.ks` source. After each function
// that used them, the mapping is handed back to the C file itself, so errors in
// the code between functions name the generated file and its real line.

export function restoreLineMapping(text: string, cFileName: string): string {
  const out: string[] = [];
  let mapped = false;
  for (const line of text.split('\n')) {
    out.push(line);
    if (line.startsWith('#line ')) mapped = true;
    else if (mapped && line === '}') {
      mapped = false;
      // `#line N` names the line after the directive: the directive itself is line out.length + 1.
      out.push(`#line ${out.length + 2} "${cFileName}"`);
    }
  }
  return out.join('\n');
}
