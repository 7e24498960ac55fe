#include "ds/collections.h"

#include "ds/dict.h"
#include "ds/objects.h"
#include "ds/small_map.h"
#include "protocol/number_format.h"

namespace stmkv {

int64_t set_size(stm::Tx& tx, stm::RawRef v) {
  switch (value_kind(tx, v)) {
    case ValueKind::kDict: return Dict(tx, v).size();
    case ValueKind::kIntset: return intset_view(tx, v).count;
    default: return PackReader(tx, v).count();
  }
}

bool set_contains(stm::Tx& tx, stm::RawRef v, std::string_view m) {
  switch (value_kind(tx, v)) {
    case ValueKind::kDict: return Dict(tx, v).contains(m);
    case ValueKind::kIntset: {
      long long i;
      return protocol::string2ll(m, &i) && intset_view(tx, v).contains(i);
    }
    default: {
      PackReader r(tx, v);
      std::string_view s;
      while (r.next(&s)) {
        if (s == m) return true;
      }
      return false;
    }
  }
}

std::vector<std::string> set_members(stm::Tx& tx, stm::RawRef v) {
  std::vector<std::string> out;
  switch (value_kind(tx, v)) {
    case ValueKind::kDict:
      Dict(tx, v).for_each([&](std::string_view f, stm::RawRef) { out.emplace_back(f); });
      break;
    case ValueKind::kIntset: {
      IntsetView iv = intset_view(tx, v);
      out.reserve(iv.count);
      for (uint32_t i = 0; i < iv.count; ++i) out.push_back(std::to_string(iv.data[i]));
      break;
    }
    default:
      for (std::string_view s : PackReader(tx, v).all()) out.emplace_back(s);
  }
  return out;
}

bool hash_get(stm::Tx& tx, stm::RawRef v, std::string_view field, std::string_view* out) {
  if (value_kind(tx, v) == ValueKind::kDict) {
    Dict d(tx, v);
    stm::Ref<DictNode> n = d.find(field);
    if (n.is_null()) return false;
    *out = str_view(tx, d.value_of(n));
    return true;
  }
  PackReader r(tx, v);
  std::string_view f, val;
  while (r.next(&f) && r.next(&val)) {
    if (f == field) {
      *out = val;
      return true;
    }
  }
  return false;
}

int64_t hash_len(stm::Tx& tx, stm::RawRef v) {
  if (value_kind(tx, v) == ValueKind::kDict) return Dict(tx, v).size();
  return PackReader(tx, v).count() / 2;
}

}  // namespace stmkv
