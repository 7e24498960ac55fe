#include "ds/objects.h"

#include <cstring>

namespace stmkv {

std::string_view type_name(ObjType t) {
  switch (t) {
    case ObjType::kString: return "string";
    case ObjType::kList: return "list";
    case ObjType::kSet: return "set";
    case ObjType::kZSet: return "zset";
    case ObjType::kHash: return "hash";
  }
  return "none";
}

std::string_view encoding_name(Encoding e) {
  switch (e) {
    case Encoding::kRaw: return "raw";
    case Encoding::kInt: return "int";
    case Encoding::kEmbstr: return "embstr";
    case Encoding::kListpack: return "listpack";
    case Encoding::kQuicklist: return "quicklist";
    case Encoding::kHashtable: return "hashtable";
    case Encoding::kIntset: return "intset";
    case Encoding::kSkiplist: return "skiplist";
  }
  return "unknown";
}

stm::RawRef make_str_uninit(stm::Tx& tx, size_t len, char** data) {
  char* p;
  stm::RawRef r = tx.alloc_raw(sizeof(StrHeader) + len, stm::Hint::kShared, &p);
  StrHeader h{static_cast<uint32_t>(len), 0};
  std::memcpy(p, &h, sizeof h);
  *data = p + sizeof(StrHeader);
  return r;
}

stm::RawRef make_str(stm::Tx& tx, std::string_view bytes) {
  char* d;
  stm::RawRef r = make_str_uninit(tx, bytes.size(), &d);
  if (!bytes.empty()) std::memcpy(d, bytes.data(), bytes.size());
  return r;
}

}  // namespace stmkv
