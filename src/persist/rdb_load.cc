// persist/rdb_load.cc — the reading half of persist/rdb.h: RdbInput, value decoding (every type
// and encoding Redis 7.0 can load, the older ones included), the encodings chosen for loaded
// values, and whole files.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ds/dict.h"
#include "ds/list.h"
#include "ds/small_map.h"
#include "ds/zset.h"
#include "persist/crc64.h"
#include "persist/lzf.h"
#include "persist/packs.h"
#include "persist/rdb.h"
#include "protocol/number_format.h"

namespace stmkv::persist {

using stm::RawRef;

// --- input ---

bool RdbInput::read(void* dst, size_t len) {
  if (data_.size() - pos_ < len) return false;
  std::memcpy(dst, data_.data() + pos_, len);
  pos_ += len;
  return true;
}

bool RdbInput::read_byte(uint8_t* b) { return read(b, 1); }

bool RdbInput::read_len(uint64_t* len, bool* encoded) {
  if (encoded) *encoded = false;
  uint8_t b[9];
  if (!read_byte(&b[0])) return false;
  int type = (b[0] & 0xC0) >> 6;
  if (type == 3) {
    if (encoded == nullptr) return false;
    *encoded = true;
    *len = b[0] & 0x3F;
    return true;
  }
  if (type == 0) {
    *len = b[0] & 0x3F;
    return true;
  }
  if (type == 1) {
    if (!read_byte(&b[1])) return false;
    *len = (uint64_t{b[0] & 0x3Fu} << 8) | b[1];
    return true;
  }
  int n;
  if (b[0] == 0x80) {
    n = 4;
  } else if (b[0] == 0x81) {
    n = 8;
  } else {
    return false;
  }
  if (!read(b + 1, n)) return false;
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | b[1 + i];
  *len = v;
  return true;
}

bool RdbInput::read_string(std::string* out) {
  uint64_t len;
  bool encoded;
  if (!read_len(&len, &encoded)) return false;
  if (encoded) {
    unsigned char b[4];
    int64_t v;
    switch (len) {
      case 0:
        if (!read(b, 1)) return false;
        v = static_cast<int8_t>(b[0]);
        break;
      case 1:
        if (!read(b, 2)) return false;
        v = static_cast<int16_t>(b[0] | (b[1] << 8));
        break;
      case 2:
        if (!read(b, 4)) return false;
        v = static_cast<int32_t>(uint32_t{b[0]} | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16) |
                                 (uint32_t{b[3]} << 24));
        break;
      case 3: {
        uint64_t clen, ulen;
        if (!read_len(&clen) || !read_len(&ulen)) return false;
        if (clen > data_.size() - pos_ || ulen > (uint64_t{1} << 40)) return false;
        std::string_view c = data_.substr(pos_, clen);
        pos_ += clen;
        return lzf_decompress(c, ulen, out);
      }
      default: return false;
    }
    *out = std::to_string(v);
    return true;
  }
  if (len > data_.size() - pos_) return false;
  out->assign(data_.data() + pos_, len);
  pos_ += len;
  return true;
}

bool RdbInput::read_binary_double(double* v) {
  unsigned char b[8];
  if (!read(b, 8)) return false;
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u |= uint64_t{b[i]} << (8 * i);
  std::memcpy(v, &u, 8);
  return true;
}

bool RdbInput::read_string_double(double* v) {
  uint8_t len;
  if (!read_byte(&len)) return false;
  switch (len) {
    case 255: *v = -INFINITY; return true;
    case 254: *v = INFINITY; return true;
    case 253: *v = NAN; return true;
    default: {
      char buf[256];
      if (!read(buf, len)) return false;
      buf[len] = '\0';
      char* end;
      *v = strtod(buf, &end);
      return end != buf;
    }
  }
}

namespace {

bool parse_score(const std::string& s, double* out) {
  if (s.empty()) return false;
  char* end;
  errno = 0;
  *out = strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && !std::isnan(*out);
}

// Pairs (member, score) from a flat member, score, ... list.
bool pairs_to_zset(std::vector<std::string>& flat, LoadedValue* out) {
  if (flat.size() % 2 != 0) return false;
  for (size_t i = 0; i < flat.size(); i += 2) {
    double s;
    if (!parse_score(flat[i + 1], &s)) return false;
    out->zset.emplace_back(std::move(flat[i]), s);
  }
  return true;
}

}  // namespace

bool read_value(RdbInput& in, uint8_t type, LoadedValue* out, std::string* error) {
  auto bad = [&](const char* what) {
    *error = what;
    return false;
  };
  uint64_t len;
  std::string blob;
  switch (type) {
    case kRdbString: {
      out->type = ObjType::kString;
      out->items.emplace_back();
      if (!in.read_string(&out->items[0])) return bad("Short read loading a string");
      return true;
    }
    case kRdbList:
    case kRdbSet:
    case kRdbHash: {
      out->type = type == kRdbList  ? ObjType::kList
                  : type == kRdbSet ? ObjType::kSet
                                    : ObjType::kHash;
      if (!in.read_len(&len)) return bad("Short read loading a length");
      uint64_t n = type == kRdbHash ? 2 * len : len;
      if (n > in.rest().size()) return bad("Collection length exceeds the data");
      out->items.resize(n);
      for (uint64_t i = 0; i < n; ++i) {
        if (!in.read_string(&out->items[i])) return bad("Short read loading an element");
      }
      return true;
    }
    case kRdbZSet:
    case kRdbZSet2: {
      out->type = ObjType::kZSet;
      if (!in.read_len(&len)) return bad("Short read loading a length");
      if (len > in.rest().size()) return bad("Collection length exceeds the data");
      out->zset.resize(len);
      for (uint64_t i = 0; i < len; ++i) {
        double s;
        if (!in.read_string(&out->zset[i].first)) return bad("Short read loading a member");
        bool ok = type == kRdbZSet2 ? in.read_binary_double(&s) : in.read_string_double(&s);
        if (!ok || std::isnan(s)) return bad("Bad score loading a sorted set");
        out->zset[i].second = s;
      }
      return true;
    }
    case kRdbHashZipmap:
    case kRdbListZiplist:
    case kRdbSetIntset:
    case kRdbZSetZiplist:
    case kRdbHashZiplist:
    case kRdbHashListpack:
    case kRdbZSetListpack:
    case kRdbSetListpack: {
      if (!in.read_string(&blob)) return bad("Short read loading a blob");
      std::vector<std::string> flat;
      bool ok = false;
      switch (type) {
        case kRdbHashZipmap:
          out->type = ObjType::kHash;
          ok = zipmap_decode(blob, &out->items);
          break;
        case kRdbListZiplist:
          out->type = ObjType::kList;
          ok = ziplist_decode(blob, &out->items);
          break;
        case kRdbSetIntset: {
          out->type = ObjType::kSet;
          std::vector<int64_t> ints;
          ok = intset_decode(blob, &ints);
          for (int64_t v : ints) out->items.push_back(std::to_string(v));
          break;
        }
        case kRdbSetListpack:
          out->type = ObjType::kSet;
          ok = listpack_decode(blob, &out->items);
          break;
        case kRdbHashZiplist:
          out->type = ObjType::kHash;
          ok = ziplist_decode(blob, &out->items) && out->items.size() % 2 == 0;
          break;
        case kRdbHashListpack:
          out->type = ObjType::kHash;
          ok = listpack_decode(blob, &out->items) && out->items.size() % 2 == 0;
          break;
        case kRdbZSetZiplist:
          out->type = ObjType::kZSet;
          ok = ziplist_decode(blob, &flat) && pairs_to_zset(flat, out);
          break;
        case kRdbZSetListpack:
          out->type = ObjType::kZSet;
          ok = listpack_decode(blob, &flat) && pairs_to_zset(flat, out);
          break;
      }
      if (!ok) return bad("Corrupt compact encoding");
      return true;
    }
    case kRdbListQuicklist:
    case kRdbListQuicklist2: {
      out->type = ObjType::kList;
      if (!in.read_len(&len)) return bad("Short read loading a length");
      if (len > in.rest().size()) return bad("Collection length exceeds the data");
      for (uint64_t i = 0; i < len; ++i) {
        uint64_t container = 2;
        if (type == kRdbListQuicklist2 && !in.read_len(&container)) {
          return bad("Short read loading a node");
        }
        if (!in.read_string(&blob)) return bad("Short read loading a node");
        bool ok;
        if (type == kRdbListQuicklist) {
          ok = ziplist_decode(blob, &out->items);
        } else if (container == 1) {  // PLAIN: one element
          out->items.push_back(std::move(blob));
          ok = true;
        } else {
          ok = container == 2 && listpack_decode(blob, &out->items);
        }
        if (!ok) return bad("Corrupt quicklist node");
      }
      return true;
    }
    case kRdbModulePreGa:
    case kRdbModule2: return bad("Module values are not supported");
    case kRdbStreamListpacks:
    case kRdbStreamListpacks2: return bad("Stream values are not supported");
    default: *error = "Unknown RDB value type " + std::to_string(type); return false;
  }
}

// --- creating loaded values on the heap ---

LoadLimits LoadLimits::from(const ServerConfig& c) {
  LoadLimits l;
  l.hash_max_listpack_entries = c.hash_max_listpack_entries;
  l.hash_max_listpack_value = c.hash_max_listpack_value;
  l.set_max_intset_entries = c.set_max_intset_entries;
  l.set_max_listpack_entries = c.set_max_listpack_entries;
  l.set_max_listpack_value = c.set_max_listpack_value;
  l.zset_max_listpack_entries = c.zset_max_listpack_entries;
  l.zset_max_listpack_value = c.zset_max_listpack_value;
  l.list_max_listpack_size = c.list_max_listpack_size;
  return l;
}

namespace {

Encoding string_encoding(std::string_view v) {
  long long n;
  if (v.size() <= 20 && protocol::string2ll(v, &n)) return Encoding::kInt;
  return v.size() <= 44 ? Encoding::kEmbstr : Encoding::kRaw;
}

RawRef make_set(stm::Tx& tx, LoadedValue& v, const LoadLimits& lim, Encoding* enc) {
  // Unique members (a corrupt file could repeat one).
  std::vector<std::string>& m = v.items;
  if (int64_t(m.size()) <= lim.set_max_intset_entries) {
    std::vector<int64_t> ints;
    ints.reserve(m.size());
    bool all_int = true;
    for (const std::string& s : m) {
      long long i;
      if (!protocol::string2ll(s, &i)) {
        all_int = false;
        break;
      }
      ints.push_back(i);
    }
    if (all_int) {
      std::sort(ints.begin(), ints.end());
      ints.erase(std::unique(ints.begin(), ints.end()), ints.end());
      *enc = Encoding::kIntset;
      return make_intset(tx, ints);
    }
  }
  *enc = Encoding::kHashtable;
  bool small = int64_t(m.size()) <= lim.set_max_listpack_entries;
  for (size_t i = 0; i < m.size() && small; ++i) {
    small = int64_t(m[i].size()) <= lim.set_max_listpack_value;
  }
  if (small) {
    std::vector<std::string> sorted = m;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end()) {
      PackBuilder b;
      for (const std::string& s : m) b.add(s);
      return b.finish(tx, ValueKind::kMembers);
    }
  }
  RawRef d = Dict::create(tx, m.size());
  Dict dict(tx, d);
  for (const std::string& s : m) dict.insert(s, RawRef());
  return d;
}

RawRef make_hash(stm::Tx& tx, LoadedValue& v, const LoadLimits& lim, Encoding* enc) {
  std::vector<std::string>& it = v.items;
  size_t n = it.size() / 2;
  bool big = int64_t(n) > lim.hash_max_listpack_entries;
  for (size_t i = 0; i < it.size() && !big; ++i) {
    big = int64_t(it[i].size()) > lim.hash_max_listpack_value;
  }
  if (!big) {
    // A pack must not repeat a field: keep the last value of a repeated one.
    std::vector<std::string_view> fields;
    for (size_t i = 0; i < it.size(); i += 2) fields.push_back(it[i]);
    std::sort(fields.begin(), fields.end());
    big = std::adjacent_find(fields.begin(), fields.end()) != fields.end();
  }
  if (big) {
    *enc = Encoding::kHashtable;
    RawRef d = Dict::create(tx, n);
    Dict dict(tx, d);
    for (size_t i = 0; i + 1 < it.size(); i += 2) dict.insert(it[i], make_str(tx, it[i + 1]));
    return d;
  }
  *enc = Encoding::kListpack;
  PackBuilder b;
  for (const std::string& s : it) b.add(s);
  return b.finish(tx, ValueKind::kPairs);
}

RawRef make_zset(stm::Tx& tx, LoadedValue& v, const LoadLimits& lim, Encoding* enc) {
  std::vector<ZElem> elems;
  elems.reserve(v.zset.size());
  // Unique members: the last score of a repeated member wins.
  std::vector<size_t> order(v.zset.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return v.zset[a].first < v.zset[b].first; });
  for (size_t k = 0; k < order.size(); ++k) {
    if (k + 1 < order.size() && v.zset[order[k]].first == v.zset[order[k + 1]].first) continue;
    elems.push_back(ZElem{v.zset[order[k]].first, v.zset[order[k]].second});
  }
  std::sort(elems.begin(), elems.end(), [](const ZElem& a, const ZElem& b) {
    return a.score < b.score || (a.score == b.score && a.member < b.member);
  });
  ZSetLimits zl{lim.zset_max_listpack_entries, lim.zset_max_listpack_value};
  ZSet z = ZSet::build(tx, elems, zl);
  *enc = z.encoding();
  return z.value();
}

}  // namespace

RawRef make_loaded_value(stm::Tx& tx, LoadedValue& v, const LoadLimits& lim, Encoding* enc) {
  switch (v.type) {
    case ObjType::kString: *enc = string_encoding(v.items[0]); return make_str(tx, v.items[0]);
    case ObjType::kList: {
      RawRef l = list::create(tx);
      uint32_t cap = list::node_capacity(lim.list_max_listpack_size);
      for (const std::string& s : v.items) {
        list::push(tx, l, list::End::kRight, make_str(tx, s), cap);
      }
      *enc = Encoding::kQuicklist;
      return l;
    }
    case ObjType::kSet: return make_set(tx, v, lim, enc);
    case ObjType::kHash: return make_hash(tx, v, lim, enc);
    case ObjType::kZSet: return make_zset(tx, v, lim, enc);
  }
  return RawRef();
}

// --- whole files ---

std::optional<std::string> parse_rdb(std::string_view data, bool verify_checksum, int max_databases,
                                     const KeyFn& on_key, const FunctionFn& on_function) {
  if (data.size() < 9 || data.substr(0, 5) != "REDIS") return "Wrong signature trying to load DB";
  int version = 0;
  for (int i = 5; i < 9; ++i) {
    if (data[i] < '0' || data[i] > '9') return "Wrong signature trying to load DB";
    version = version * 10 + (data[i] - '0');
  }
  if (version < 1 || version > 11) {
    return "Can't handle RDB format version " + std::to_string(version);
  }
  RdbInput in(data);
  char skip[9];
  in.read(skip, 9);
  int db = 0;
  int64_t expire = kNoExpire;
  std::string error;
  for (;;) {
    uint8_t type;
    if (!in.read_byte(&type)) return "Short read or OOM loading DB";
    switch (type) {
      case kOpExpireTime: {
        unsigned char b[4];
        if (!in.read(b, 4)) return "Short read or OOM loading DB";
        expire =
            int64_t{1000} * static_cast<int32_t>(uint32_t{b[0]} | (uint32_t{b[1]} << 8) |
                                                 (uint32_t{b[2]} << 16) | (uint32_t{b[3]} << 24));
        continue;
      }
      case kOpExpireTimeMs: {
        unsigned char b[8];
        if (!in.read(b, 8)) return "Short read or OOM loading DB";
        uint64_t u = 0;
        for (int i = 0; i < 8; ++i) u |= uint64_t{b[i]} << (8 * i);
        expire = static_cast<int64_t>(u);
        continue;
      }
      case kOpFreq: {
        uint8_t f;
        if (!in.read_byte(&f)) return "Short read or OOM loading DB";
        continue;
      }
      case kOpIdle: {
        uint64_t idle;
        if (!in.read_len(&idle)) return "Short read or OOM loading DB";
        continue;
      }
      case kOpSelectDb: {
        uint64_t n;
        if (!in.read_len(&n)) return "Short read or OOM loading DB";
        if (n >= static_cast<uint64_t>(max_databases)) {
          return "FATAL: Data file was created with a Redis server configured to handle more "
                 "than " +
                 std::to_string(max_databases) + " databases. Exiting";
        }
        db = static_cast<int>(n);
        continue;
      }
      case kOpResizeDb: {
        uint64_t a, b;
        if (!in.read_len(&a) || !in.read_len(&b)) return "Short read or OOM loading DB";
        continue;
      }
      case kOpAux: {
        std::string k, v;
        if (!in.read_string(&k) || !in.read_string(&v)) return "Short read or OOM loading DB";
        continue;
      }
      case kOpFunction2: {
        std::string code;
        if (!in.read_string(&code)) return "Short read or OOM loading DB";
        if (on_function) on_function(std::move(code));
        continue;
      }
      case kOpFunctionPreGa:
      case kOpModuleAux: return "Unsupported RDB opcode " + std::to_string(type);
      case kOpEof: {
        if (version >= 5) {
          unsigned char b[8];
          uint64_t expected = in.pos() > 0 ? crc64(0, data.data(), in.pos()) : 0;
          if (!in.read(b, 8)) return "Short read or OOM loading DB";
          uint64_t stored = 0;
          for (int i = 0; i < 8; ++i) stored |= uint64_t{b[i]} << (8 * i);
          if (verify_checksum && stored != 0 && stored != expected) {
            return "Wrong RDB checksum. Aborting now.";
          }
        }
        return std::nullopt;
      }
      default: {
        std::string key;
        if (!in.read_string(&key)) return "Short read or OOM loading DB";
        LoadedValue v;
        if (!read_value(in, type, &v, &error)) return error;
        on_key(db, std::move(key), std::move(v), expire);
        expire = kNoExpire;
      }
    }
  }
}

}  // namespace stmkv::persist
