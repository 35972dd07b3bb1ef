#pragma once
// Reading and writing the safetensors format: an 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets}, "__metadata__": {..}}, then the raw tensor bytes.
// Files are memory-mapped and fully validated before any tensor is handed out.
#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace srdd {

struct TensorEntry {
  std::string name;
  std::string dtype;  // "BF16", "F16", "F32", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte offsets relative to the start of the data area
};

class SafetensorsFile {
 public:
  // mmap (PROT_READ, MAP_PRIVATE) + full validation; throws srdd::Error naming the file and the fault.
  static std::shared_ptr<SafetensorsFile> open(const std::string& path);

  const std::string& path() const { return path_; }
  uint64_t fileSize() const { return fileSize_; }
  const std::vector<TensorEntry>& entries() const { return entries_; }  // in header order
  const TensorEntry* find(const std::string& name) const;               // nullptr if absent
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  // Zero-copy CPU view; the mapping stays alive as long as any tensor does. Read-only: the pages are
  // mapped PROT_READ, so clone/convert before writing. Misaligned data is returned as an aligned copy.
  at::Tensor tensor(const std::string& name) const;

  struct Mapping;

 private:
  SafetensorsFile() = default;
  std::string path_;
  uint64_t fileSize_ = 0;
  uint64_t dataStart_ = 0;  // 8 + header length
  std::shared_ptr<Mapping> mapping_;
  std::vector<TensorEntry> entries_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// Supports BF16, F16, F32, F64, I64, I32, I16, I8, U8, BOOL. Throws naming the file for anything else.
at::ScalarType scalarTypeFromSafetensors(const std::string& dtype, const std::string& fileForErrors);
std::string safetensorsDtypeName(at::ScalarType type);    // throws srdd::Error for unsupported types
size_t safetensorsElementSize(const std::string& dtype);  // 0 for unknown dtypes

// Writes a file atomically: a temporary file in the same directory, fsync, rename, fsync of the directory.
// Used for every file the engine writes so that a crash never leaves a half-written file under the real name.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::string path);  // creates the temporary file; throws srdd::Error
  ~AtomicFileWriter();                          // removes the temporary file unless commit() succeeded
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  void write(const void* data, size_t size);
  void commit();

 private:
  std::string path_, tempPath_;
  int fd_ = -1;
  bool committed_ = false;
};
void writeFileAtomically(const std::string& path, const std::string& content);

// Streams a safetensors file tensor by tensor, so that checkpoints larger than memory can be written.
// The layout (names, dtypes, shapes, order) is fixed up front; then add() each tensor in that order.
class SafetensorsWriter {
 public:
  struct Spec {
    std::string name;
    at::ScalarType dtype;
    std::vector<int64_t> shape;
  };
  SafetensorsWriter(const std::string& path, std::vector<Spec> layout,
                    const std::map<std::string, std::string>& metadata = {});
  void add(const at::Tensor& tensor);  // next tensor of the layout; dtype and shape must match exactly
  void commit();                       // throws unless every tensor of the layout was added

 private:
  std::string path_;
  std::vector<Spec> layout_;
  size_t next_ = 0;
  AtomicFileWriter out_;
};

// Atomic write; header padded to 8 bytes; tensors written contiguously in the given order.
void writeSafetensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace srdd
