#include "srdd/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include <torch/version.h>

#include "json_depth.h"
#include "srdd/error.h"
#include "srdd/fault_point.h"

#define SRDD_TORCH_HAS_FLOAT8 (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1))

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian; big-endian hosts are unsupported");

namespace srdd {
namespace {

// The reference implementation refuses headers above 100 MB; a real 7B header is about 40 kB.
constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;

struct DtypeInfo {
  const char* name;
  at::ScalarType type;
  size_t size;
};
const DtypeInfo kDtypes[] = {
    {"BF16", at::kBFloat16, 2},
    {"F16", at::kHalf, 2},
    {"F32", at::kFloat, 4},
    {"F64", at::kDouble, 8},
    {"I64", at::kLong, 8},
    {"I32", at::kInt, 4},
    {"I16", at::kShort, 2},
    {"I8", at::kChar, 1},
    {"U8", at::kByte, 1},
    {"BOOL", at::kBool, 1},
#if SRDD_TORCH_HAS_FLOAT8
    {"F8_E4M3", at::kFloat8_e4m3fn, 1},
    {"F8_E5M2", at::kFloat8_e5m2, 1},
#endif
};
// FP8 checkpoints parse everywhere; their tensors load only with a LibTorch that has the FP8 types.
#if !SRDD_TORCH_HAS_FLOAT8
const char* const kFloat8Dtypes[] = {"F8_E4M3", "F8_E5M2"};
bool isFloat8Dtype(const std::string& dtype) {
  return std::find(std::begin(kFloat8Dtypes), std::end(kFloat8Dtypes), dtype) != std::end(kFloat8Dtypes);
}
#endif

std::string knownDtypeList() {
  std::string s;
  for (const auto& d : kDtypes) s += (s.empty() ? "" : ", ") + std::string(d.name);
  return s;
}

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string sysError(const std::string& what, const std::string& path) {
  return path + ": " + what + ": " + std::strerror(errno);
}

// Parses the header while rejecting duplicate keys in any object (nlohmann would keep the last one).
nlohmann::json parseHeader(const std::string& text, const std::string& path) {
  std::vector<std::set<std::string>> keysPerObject;
  std::string duplicate;
  auto callback = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) keysPerObject.emplace_back();
    if (event == E::object_end && !keysPerObject.empty()) keysPerObject.pop_back();
    if (event == E::key && !keysPerObject.empty() && !keysPerObject.back().insert(parsed.get<std::string>()).second &&
        duplicate.empty()) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  checkJsonFileDepth(text, path + ": safetensors header");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text, callback);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": safetensors header is not valid JSON (" + jsonErrorText(e) + ")");
  }
  if (!duplicate.empty()) throw Error(path + ": safetensors header has duplicate key '" + duplicate + "'");
  if (!header.is_object()) throw Error(path + ": safetensors header is not a JSON object");
  return header;
}

uint64_t readNonNegativeInteger(const nlohmann::json& v, const std::string& what) {
  if (!v.is_number_integer()) throw Error(what + " is not an integer (" + v.dump() + ")");
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  int64_t x = v.get<int64_t>();
  if (x < 0) throw Error(what + " is negative (" + v.dump() + ")");
  return static_cast<uint64_t>(x);
}

TensorEntry parseEntry(const std::string& name, const nlohmann::json& info, uint64_t dataSize,
                       const std::string& path) {
  const std::string where = path + ": tensor '" + name + "'";
  if (!info.is_object()) throw Error(where + ": header entry is not a JSON object");
  for (const char* key : {"dtype", "shape", "data_offsets"}) {
    if (!info.contains(key)) throw Error(where + ": header entry has no '" + key + "'");
  }
  TensorEntry e;
  e.name = name;
  if (!info["dtype"].is_string()) throw Error(where + ": dtype is not a string (" + info["dtype"].dump() + ")");
  e.dtype = info["dtype"].get<std::string>();
  const size_t elemSize = safetensorsElementSize(e.dtype);
  if (elemSize == 0) throw Error(where + ": unknown dtype '" + e.dtype + "' (known: " + knownDtypeList() + ")");

  const auto& shape = info["shape"];
  if (!shape.is_array()) throw Error(where + ": shape is not an array (" + shape.dump() + ")");
  uint64_t numel = 1;
  for (const auto& d : shape) {
    uint64_t dim = 0;
    try {
      dim = readNonNegativeInteger(d, "shape entry");
    } catch (const Error& err) {
      throw Error(where + ": " + err.what() + " in shape " + shape.dump());
    }
    if (dim > static_cast<uint64_t>(INT64_MAX) || __builtin_mul_overflow(numel, dim, &numel)) {
      throw Error(where + ": shape " + shape.dump() + " overflows 64-bit element count");
    }
    e.shape.push_back(static_cast<int64_t>(dim));
  }
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(numel, static_cast<uint64_t>(elemSize), &bytes) ||
      numel > static_cast<uint64_t>(INT64_MAX)) {
    throw Error(where + ": shape " + shape.dump() + " overflows 64-bit byte count");
  }

  const auto& offsets = info["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2) {
    throw Error(where + ": data_offsets must be an array of two integers (" + offsets.dump() + ")");
  }
  try {
    e.begin = readNonNegativeInteger(offsets[0], "data_offsets begin");
    e.end = readNonNegativeInteger(offsets[1], "data_offsets end");
  } catch (const Error& err) {
    throw Error(where + ": " + err.what());
  }
  if (e.begin > e.end) {
    throw Error(where + ": data_offsets begin " + std::to_string(e.begin) + " > end " + std::to_string(e.end));
  }
  if (e.end > dataSize) {
    throw Error(where + ": data_offsets end " + std::to_string(e.end) + " is beyond the data area (" +
                std::to_string(dataSize) + " bytes)");
  }
  if (e.end - e.begin != bytes) {
    throw Error(where + ": " + e.dtype + " " + shapeText(e.shape) + " needs " + std::to_string(bytes) +
                " bytes but data_offsets span " + std::to_string(e.end - e.begin));
  }
  return e;
}

std::map<std::string, std::string> parseMetadata(const nlohmann::json& m, const std::string& path) {
  if (!m.is_object()) throw Error(path + ": __metadata__ is not a JSON object");
  std::map<std::string, std::string> out;
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (!it.value().is_string()) throw Error(path + ": __metadata__ value for '" + it.key() + "' is not a string");
    out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

void checkNoOverlap(std::vector<TensorEntry> entries, const std::string& path) {
  entries.erase(std::remove_if(entries.begin(), entries.end(), [](const TensorEntry& e) { return e.begin == e.end; }),
                entries.end());
  std::sort(entries.begin(), entries.end(),
            [](const TensorEntry& a, const TensorEntry& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].begin < entries[i - 1].end) {
      throw Error(path + ": tensors '" + entries[i - 1].name + "' (bytes " + std::to_string(entries[i - 1].begin) +
                  "-" + std::to_string(entries[i - 1].end) + ") and '" + entries[i].name + "' (bytes " +
                  std::to_string(entries[i].begin) + "-" + std::to_string(entries[i].end) + ") overlap");
    }
  }
}

}  // namespace

struct SafetensorsFile::Mapping {
  void* data = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (data) munmap(data, size);
  }
};

size_t safetensorsElementSize(const std::string& dtype) {
  for (const auto& d : kDtypes) {
    if (dtype == d.name) return d.size;
  }
#if !SRDD_TORCH_HAS_FLOAT8
  if (isFloat8Dtype(dtype)) return 1;
#endif
  return 0;
}

at::ScalarType scalarTypeFromSafetensors(const std::string& dtype, const std::string& fileForErrors) {
  for (const auto& d : kDtypes) {
    if (dtype == d.name) return d.type;
  }
#if !SRDD_TORCH_HAS_FLOAT8
  if (isFloat8Dtype(dtype))
    throw Error(fileForErrors + ": dtype " + dtype +
                " needs LibTorch 2.1 or newer; this engine was built with LibTorch " + TORCH_VERSION +
                " (build it against a newer PyTorch with packaging/build-gpu.sh)");
#endif
  throw Error(fileForErrors + ": unknown dtype '" + dtype + "' (known: " + knownDtypeList() + ")");
}

std::string safetensorsDtypeName(at::ScalarType type) {
  for (const auto& d : kDtypes) {
    if (type == d.type) return d.name;
  }
  throw Error(std::string("scalar type ") + c10::toString(type) +
              " cannot be stored in safetensors (supported: " + knownDtypeList() + ")");
}

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(sysError("cannot open safetensors file", path));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    ::close(fd);
    throw Error(sysError("cannot stat", path));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(path + ": not a regular file");
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < 8) {
    ::close(fd);
    throw Error(path + ": file is " + std::to_string(size) +
                " bytes, too short for the 8-byte safetensors header length");
  }
  auto mapping = std::make_shared<Mapping>();
  void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) throw Error(sysError("cannot memory-map", path));
  mapping->data = p;
  mapping->size = size;

  const auto* bytes = static_cast<const unsigned char*>(p);
  uint64_t headerLen = 0;
  for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | bytes[i];
  if (headerLen > size - 8) {
    throw Error(path + ": header length " + std::to_string(headerLen) + " is beyond the end of the file (" +
                std::to_string(size) + " bytes)");
  }
  if (headerLen > kMaxHeaderBytes) {
    throw Error(path + ": header length " + std::to_string(headerLen) + " exceeds the 100 MB limit");
  }
  if (headerLen == 0) throw Error(path + ": safetensors header is empty");

  std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
  file->path_ = path;
  file->fileSize_ = size;
  file->dataStart_ = 8 + headerLen;
  file->mapping_ = mapping;
  const uint64_t dataSize = size - file->dataStart_;
  const nlohmann::json header = parseHeader(std::string(reinterpret_cast<const char*>(bytes + 8), headerLen), path);
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      file->metadata_ = parseMetadata(it.value(), path);
      continue;
    }
    file->index_[it.key()] = file->entries_.size();
    file->entries_.push_back(parseEntry(it.key(), it.value(), dataSize, path));
  }
  checkNoOverlap(file->entries_, path);
  return file;
}

const TensorEntry* SafetensorsFile::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const {
  const TensorEntry* e = find(name);
  if (!e) throw Error(path_ + ": no tensor named '" + name + "'");
  const at::ScalarType type = scalarTypeFromSafetensors(e->dtype, path_);
  char* ptr = static_cast<char*>(mapping_->data) + dataStart_ + e->begin;
  const auto options = at::TensorOptions().dtype(type).device(at::kCPU);
  const size_t elemSize = safetensorsElementSize(e->dtype);
  if (reinterpret_cast<uintptr_t>(ptr) % elemSize != 0) {
    at::Tensor copy = at::empty(e->shape, options);
    // An empty tensor has no storage (data_ptr() is null), and memcpy to null is undefined even for 0 bytes.
    if (e->end > e->begin) std::memcpy(copy.data_ptr(), ptr, e->end - e->begin);
    return copy;
  }
  std::shared_ptr<Mapping> keepAlive = mapping_;
  return at::from_blob(
      ptr, e->shape, [keepAlive](void*) mutable { keepAlive.reset(); }, options);
}

// ---- writing ----

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
  const auto slash = path_.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash);
  const std::string base = slash == std::string::npos ? path_ : path_.substr(slash + 1);
  std::string templ = dir + "/." + base + ".tmp.XXXXXX";
  fd_ = mkstemp(templ.data());
  if (fd_ < 0) throw Error(sysError("cannot create a temporary file to write", path_));
  tempPath_ = templ;
  fchmod(fd_, 0644);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !tempPath_.empty()) ::unlink(tempPath_.c_str());
}

void AtomicFileWriter::write(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, std::min<size_t>(size, 1u << 30));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(sysError("write failed", path_));
    p += n;
    size -= static_cast<size_t>(n);
  }
}

void AtomicFileWriter::commit() {
  if (fsync(fd_) != 0) throw Error(sysError("fsync failed", path_));
  if (::close(fd_) != 0) {
    fd_ = -1;
    throw Error(sysError("close failed", path_));
  }
  fd_ = -1;
  faultPoint("atomic.before-rename");
  if (std::rename(tempPath_.c_str(), path_.c_str()) != 0)
    throw Error(sysError("cannot rename the temporary file onto", path_));
  committed_ = true;
  const auto slash = path_.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    ::close(dfd);
  }
}

void writeFileAtomically(const std::string& path, const std::string& content) {
  AtomicFileWriter out(path);
  out.write(content.data(), content.size());
  out.commit();
}

namespace {
uint64_t specBytes(const SafetensorsWriter::Spec& s, const std::string& path) {
  uint64_t n = safetensorsElementSize(safetensorsDtypeName(s.dtype));
  for (int64_t d : s.shape) {
    if (d < 0 || __builtin_mul_overflow(n, static_cast<uint64_t>(d), &n)) {
      throw Error(path + ": tensor '" + s.name + "' has an invalid shape " + shapeText(s.shape));
    }
  }
  return n;
}
}  // namespace

SafetensorsWriter::SafetensorsWriter(const std::string& path, std::vector<Spec> layout,
                                     const std::map<std::string, std::string>& metadata)
    : path_(path), layout_(std::move(layout)), out_(path) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& s : layout_) {
    if (s.name == "__metadata__" || header.contains(s.name))
      throw Error(path + ": duplicate tensor name '" + s.name + "'");
    const uint64_t bytes = specBytes(s, path);
    header[s.name] = {
        {"dtype", safetensorsDtypeName(s.dtype)}, {"shape", s.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  unsigned char len[8];
  for (int i = 0; i < 8; ++i)
    len[i] = static_cast<unsigned char>((static_cast<uint64_t>(text.size()) >> (8 * i)) & 0xff);
  out_.write(len, 8);
  out_.write(text.data(), text.size());
}

void SafetensorsWriter::add(const at::Tensor& tensor) {
  if (next_ >= layout_.size()) throw Error(path_ + ": more tensors written than declared");
  const Spec& s = layout_[next_];
  if (tensor.scalar_type() != s.dtype || tensor.sizes().vec() != s.shape) {
    throw Error(path_ + ": tensor '" + s.name + "' was declared as " + safetensorsDtypeName(s.dtype) + " " +
                shapeText(s.shape) + " but is " + c10::toString(tensor.scalar_type()) + " " +
                shapeText(tensor.sizes().vec()));
  }
  const at::Tensor t = tensor.cpu().contiguous();
  out_.write(t.data_ptr(), t.numel() * t.element_size());
  ++next_;
}

void SafetensorsWriter::commit() {
  if (next_ != layout_.size()) {
    throw Error(path_ + ": only " + std::to_string(next_) + " of " + std::to_string(layout_.size()) +
                " tensors were written");
  }
  out_.commit();
}

void writeSafetensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  std::vector<SafetensorsWriter::Spec> layout;
  for (const auto& [name, t] : tensors) layout.push_back({name, t.scalar_type(), t.sizes().vec()});
  SafetensorsWriter writer(path, std::move(layout), metadata);
  for (const auto& nt : tensors) writer.add(nt.second);
  writer.commit();
}

}  // namespace srdd
