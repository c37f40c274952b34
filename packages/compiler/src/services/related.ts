// The other places a diagnostic is about: a race names every write that
// takes part, not only the first. Read from the multi-program analysis,
// whose conflicts list all their locations.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceLocation } from '../phases/4-analyze/analysis.js';
import type { DocumentCheck } from './document.js';

export interface RelatedLocation {
  location: SourceLocation;
  message: string;
}

export function relatedLocations(check: DocumentCheck, diagnostic: Diagnostic): RelatedLocation[] {
  const conflict = check.analysis?.conflicts.find((c) => c.message === diagnostic.message);
  if (!conflict) return [];
  const accesses = check.analysis!.maps.find((m) => m.name === conflict.map)?.accesses ?? [];
  return conflict.locations.map((location) => {
    const access = accesses.find((a) => a.location.line === location.line && a.location.column === location.column);
    const who = access ? (access.accessor.kind === 'program' ? `program '${access.accessor.program}'` : 'userspace') : null;
    return { location, message: who ? `${access!.access} of '${conflict.map}' by ${who} (in ${access!.function})` : `'${conflict.map}' is accessed here` };
  });
}
