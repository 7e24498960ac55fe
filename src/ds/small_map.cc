#include "ds/small_map.h"

#include <algorithm>
#include <cstring>

namespace stmkv {

namespace {

const PackHeader* header_of(stm::Tx& tx, stm::RawRef v) {
  return reinterpret_cast<const PackHeader*>(tx.read_immutable_bytes(v));
}

stm::RawRef publish(stm::Tx& tx, ValueKind kind, uint32_t count, const char* data, size_t n) {
  char* p;
  stm::RawRef r = tx.alloc_raw(sizeof(PackHeader) + n, stm::Hint::kShared, &p);
  PackHeader h{kind, count, n};
  std::memcpy(p, &h, sizeof h);
  if (n != 0) std::memcpy(p + sizeof h, data, n);
  return r;
}

}  // namespace

PackReader::PackReader(stm::Tx& tx, stm::RawRef pack) {
  const PackHeader* h = header_of(tx, pack);
  p_ = reinterpret_cast<const char*>(h + 1);
  end_ = p_ + h->bytes;
  count_ = h->count;
}

bool PackReader::next(std::string_view* item) {
  if (p_ >= end_) return false;
  uint32_t len;
  std::memcpy(&len, p_, 4);
  *item = std::string_view(p_ + 4, len);
  p_ += 4 + len;
  return true;
}

std::vector<std::string_view> PackReader::all() {
  std::vector<std::string_view> out;
  out.reserve(count_);
  std::string_view s;
  while (next(&s)) out.push_back(s);
  return out;
}

void PackBuilder::add(std::string_view item) {
  uint32_t len = static_cast<uint32_t>(item.size());
  buf_.append(reinterpret_cast<const char*>(&len), 4);
  buf_.append(item);
  ++count_;
}

stm::RawRef PackBuilder::finish(stm::Tx& tx, ValueKind kind) const {
  return publish(tx, kind, count_, buf_.data(), buf_.size());
}

size_t pack_heap_bytes(stm::Tx& tx, stm::RawRef pack) {
  return (sizeof(PackHeader) + header_of(tx, pack)->bytes + 15) & ~size_t{15};
}

bool IntsetView::contains(int64_t v) const { return std::binary_search(data, data + count, v); }

IntsetView intset_view(stm::Tx& tx, stm::RawRef set) {
  const PackHeader* h = header_of(tx, set);
  return IntsetView{reinterpret_cast<const int64_t*>(h + 1), h->count};
}

stm::RawRef make_intset(stm::Tx& tx, const std::vector<int64_t>& values) {
  return publish(tx, ValueKind::kIntset, static_cast<uint32_t>(values.size()),
                 reinterpret_cast<const char*>(values.data()), values.size() * 8);
}

stm::RawRef copy_compact(stm::Tx& tx, stm::RawRef v) {
  const PackHeader* h = header_of(tx, v);
  return publish(tx, h->kind, h->count, reinterpret_cast<const char*>(h + 1), h->bytes);
}

}  // namespace stmkv
