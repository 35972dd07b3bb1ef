// Byte-level BPE model: rank-ordered merges applied like HF tokenizers' Word::merge_all.
#include <queue>
#include <stdexcept>

#include "tokenizer_parts.h"

namespace srdd::tokenizer_impl {

namespace {
uint64_t pairKey(int64_t a, int64_t b) { return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b); }
constexpr size_t kMaxCachedLength = 256;
constexpr size_t kMaxCacheEntries = 100000;
}  // namespace

void BpeModel::indexBytes() {
  const auto& byteChars = tokenizer_detail::byteToUnicode();
  for (int b = 0; b < 256; ++b) {
    auto it = vocab.find(byteChars[b]);
    byteIds_[b] = it == vocab.end() ? -1 : it->second;
  }
}

std::vector<BpeModel::Merge> BpeModel::mergeTable() const {
  std::vector<Merge> out;
  out.reserve(merges_.size());
  for (const auto& [key, info] : merges_) {
    out.push_back({static_cast<int64_t>(key >> 32), static_cast<int64_t>(key & 0xffffffffu), info.rank, info.newId});
  }
  return out;
}

void BpeModel::setMergeTable(const std::vector<Merge>& merges) {
  indexBytes();
  merges_.clear();
  merges_.reserve(merges.size());
  for (const Merge& m : merges) merges_[pairKey(m.left, m.right)] = {m.rank, m.newId};
}

void BpeModel::setMerges(const std::vector<std::pair<std::string, std::string>>& merges) {
  indexBytes();
  merges_.clear();
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [a, b] = merges[rank];
    auto ia = vocab.find(a), ib = vocab.find(b), inew = vocab.find(a + b);
    const std::string name = "merge #" + std::to_string(rank) + " (\"" + a + " " + b + "\")";
    if (ia == vocab.end()) throw std::runtime_error(name + " uses token \"" + a + "\" that is not in the vocabulary");
    if (ib == vocab.end()) throw std::runtime_error(name + " uses token \"" + b + "\" that is not in the vocabulary");
    if (inew == vocab.end()) throw std::runtime_error(name + " makes \"" + a + b + "\" that is not in the vocabulary");
    // A repeated pair keeps its last rank, as HF's HashMap collect does.
    merges_[pairKey(ia->second, ib->second)] = {static_cast<int32_t>(rank), inew->second};
  }
}

void BpeModel::tokenize(const std::string& bytes, std::vector<int64_t>& out) const {
  if (bytes.empty()) return;
  if (ignoreMerges) {  // HF: a pre-token that is itself in the vocabulary skips the merges
    const auto& byteChars = tokenizer_detail::byteToUnicode();
    std::string chars;
    for (unsigned char b : bytes) chars += byteChars[b];
    if (auto it = vocab.find(chars); it != vocab.end()) {
      out.push_back(it->second);
      return;
    }
  }
  if (bytes.size() > kMaxCachedLength) {
    mergeWord(bytes, out);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(cacheMutex_);
    if (auto it = cache_.find(bytes); it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int64_t> ids;
  mergeWord(bytes, ids);
  out.insert(out.end(), ids.begin(), ids.end());
  std::lock_guard<std::mutex> lock(cacheMutex_);
  if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  cache_.emplace(bytes, std::move(ids));
}

void BpeModel::mergeWord(const std::string& bytes, std::vector<int64_t>& out) const {
  struct Symbol {
    int64_t id;
    int prev, next;
    bool live;
  };
  std::vector<Symbol> sym;
  sym.reserve(bytes.size());
  bool lastWasUnk = false;
  for (unsigned char b : bytes) {
    int64_t id = byteIds_[b];
    if (id < 0) {  // a byte whose character is not in the vocabulary: unk (fused) or dropped, like HF
      if (unkId && !(fuseUnk && lastWasUnk)) sym.push_back({*unkId, 0, 0, true});
      lastWasUnk = unkId.has_value();
      continue;
    }
    lastWasUnk = false;
    sym.push_back({id, 0, 0, true});
  }
  const int n = static_cast<int>(sym.size());
  for (int i = 0; i < n; ++i) {
    sym[i].prev = i - 1;
    sym[i].next = i + 1 < n ? i + 1 : -1;
  }
  struct Candidate {
    int32_t rank;
    int pos;
    int64_t newId;
  };
  auto worse = [](const Candidate& x, const Candidate& y) {
    return x.rank != y.rank ? x.rank > y.rank : x.pos > y.pos;
  };
  std::priority_queue<Candidate, std::vector<Candidate>, decltype(worse)> queue(worse);
  auto consider = [&](int left) {
    int right = sym[left].next;
    if (right < 0) return;
    auto it = merges_.find(pairKey(sym[left].id, sym[right].id));
    if (it != merges_.end()) queue.push({it->second.rank, left, it->second.newId});
  };
  for (int i = 0; i + 1 < n; ++i) consider(i);
  while (!queue.empty()) {
    Candidate top = queue.top();
    queue.pop();
    Symbol& left = sym[top.pos];
    if (!left.live || left.next < 0) continue;
    Symbol& right = sym[left.next];
    auto it = merges_.find(pairKey(left.id, right.id));
    if (it == merges_.end() || it->second.newId != top.newId) continue;  // stale entry
    left.id = top.newId;
    right.live = false;
    left.next = right.next;
    if (right.next >= 0) sym[right.next].prev = top.pos;
    if (left.prev >= 0) consider(left.prev);
    consider(top.pos);
  }
  for (const Symbol& s : sym) {
    if (s.live) out.push_back(s.id);
  }
}

}  // namespace srdd::tokenizer_impl
