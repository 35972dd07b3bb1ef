#pragma once
// The one atomic file write of the project, for front ends that must stay free of torch headers (the GUI).
// Same function as in srdd/safetensors.h, where AtomicFileWriter (the streaming form) is declared.
//
// Writes CONTENT to a temporary file ".NAME.tmp.XXXXXX" in PATH's directory, fsyncs it, renames it onto
// PATH and fsyncs the directory. Every step's failure (no space, read-only, ...) throws srdd::Error
// "PATH: <step>: <strerror>" and removes the temporary file, so PATH holds either its old content or the
// complete new content, never a part.
#include <string>

namespace srdd {
void writeFileAtomically(const std::string& path, const std::string& content);
}
