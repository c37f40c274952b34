// The compiler's metadata contract, which the runtime reads (types only: no
// compiler code is loaded at run time).
export type {
  ConfigMetadata,
  FieldDescriptor,
  IntName,
  MapKind,
  MapMetadata,
  ProgramKind,
  ProgramMetadata,
  SystemMetadata,
  TailCallMetadata,
  TypeDescriptor,
} from '@kernelscript/compiler';
