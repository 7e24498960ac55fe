// persist/rdb.cc — the writing half of persist/rdb.h (values, files, DUMP payloads) and the
// DUMP payload checks.
#include "persist/rdb.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "ds/dict.h"
#include "ds/list.h"
#include "ds/small_map.h"
#include "ds/zset.h"
#include "persist/crc64.h"
#include "persist/lzf.h"
#include "persist/packs.h"
#include "protocol/number_format.h"

namespace stmkv::persist {

using stm::RawRef;

// --- output ---

void RdbOutput::write(const void* data, size_t len) {
  crc_ = crc64(crc_, data, len);
  total_ += len;
  if (str_ != nullptr) {
    str_->append(static_cast<const char*>(data), len);
    return;
  }
  pending_.append(static_cast<const char*>(data), len);
  if (pending_.size() >= (size_t{1} << 20)) flush();
}

bool RdbOutput::flush() {
  if (fd_ < 0 || failed_) return !failed_;
  size_t off = 0;
  while (off < pending_.size()) {
    ssize_t n = ::write(fd_, pending_.data() + off, pending_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      failed_ = true;
      break;
    }
    off += static_cast<size_t>(n);
  }
  pending_.clear();
  return !failed_;
}

// --- primitives ---

void write_len(RdbOutput& out, uint64_t len) {
  unsigned char b[9];
  if (len < (1 << 6)) {
    b[0] = static_cast<unsigned char>(len);
    out.write(b, 1);
  } else if (len < (1 << 14)) {
    b[0] = static_cast<unsigned char>(((len >> 8) & 0xff) | 0x40);
    b[1] = static_cast<unsigned char>(len & 0xff);
    out.write(b, 2);
  } else if (len <= UINT32_MAX) {
    b[0] = 0x80;
    for (int i = 0; i < 4; ++i) b[1 + i] = static_cast<unsigned char>(len >> (24 - 8 * i));
    out.write(b, 5);
  } else {
    b[0] = 0x81;
    for (int i = 0; i < 8; ++i) b[1 + i] = static_cast<unsigned char>(len >> (56 - 8 * i));
    out.write(b, 9);
  }
}

namespace {

void put_le(RdbOutput& out, uint64_t v, int n) {
  unsigned char b[8];
  for (int i = 0; i < n; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
  out.write(b, n);
}

// Redis's rdbTryIntegerEncoding: canonical integers that fit 32 bits.
bool write_int_encoded(RdbOutput& out, std::string_view s) {
  long long v;
  if (s.size() > 11 || !protocol::string2ll(s, &v)) return false;
  if (v >= -(1 << 7) && v <= (1 << 7) - 1) {
    out.put(0xC0);
    put_le(out, static_cast<uint64_t>(v), 1);
  } else if (v >= -(1 << 15) && v <= (1 << 15) - 1) {
    out.put(0xC1);
    put_le(out, static_cast<uint64_t>(v), 2);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    out.put(0xC2);
    put_le(out, static_cast<uint64_t>(v), 4);
  } else {
    return false;
  }
  return true;
}

}  // namespace

void write_string(RdbOutput& out, std::string_view s, bool compress) {
  if (s.size() <= 11 && write_int_encoded(out, s)) return;
  if (compress && s.size() > 20) {
    std::string buf(s.size() - 4, '\0');
    size_t clen = lzf_compress(s, buf.data(), s.size() - 4);
    if (clen > 0) {
      out.put(0xC3);
      write_len(out, clen);
      write_len(out, s.size());
      out.write(buf.data(), clen);
      return;
    }
  }
  write_len(out, s.size());
  out.write(s.data(), s.size());
}

void write_binary_double(RdbOutput& out, double v) {
  uint64_t u;
  std::memcpy(&u, &v, 8);
  put_le(out, u, 8);
}

// --- values ---

namespace {

// Redis's quicklist node limits: fill > 0 counts entries (and 8 KB at most), fill < 0 selects
// 4..64 KB.
bool node_has_room(const ListpackBuilder& b, size_t elem_len, int64_t fill) {
  size_t new_size = b.bytes() + elem_len + 11;
  if (fill < 0) {
    int64_t level = std::min<int64_t>(-fill - 1, 4);
    return new_size <= (size_t{4096} << level);
  }
  return b.count() < fill && new_size <= 8192;
}

void write_list(RdbOutput& out, stm::Tx& tx, RawRef l, const SaveOptions& opt) {
  std::vector<std::string> nodes;
  ListpackBuilder b;
  list::for_each(tx, l, [&](RawRef e) {
    std::string_view s = str_view(tx, e);
    if (b.count() > 0 && !node_has_room(b, s.size(), opt.list_max_listpack_size)) {
      nodes.push_back(b.finish());
    }
    b.add(s);
    return true;
  });
  if (b.count() > 0) nodes.push_back(b.finish());
  out.put(kRdbListQuicklist2);
  write_len(out, nodes.size());
  for (const std::string& n : nodes) {
    write_len(out, 2);  // QUICKLIST_NODE_CONTAINER_PACKED
    write_string(out, n, opt.compress);
  }
}

void write_set(RdbOutput& out, stm::Tx& tx, RawRef v, const SaveOptions& opt) {
  switch (value_kind(tx, v)) {
    case ValueKind::kIntset: {
      IntsetView iv = intset_view(tx, v);
      out.put(kRdbSetIntset);
      write_string(out, intset_encode(std::vector<int64_t>(iv.data, iv.data + iv.count)),
                   opt.compress);
      return;
    }
    case ValueKind::kDict: {
      Dict d(tx, v);
      out.put(kRdbSet);
      std::vector<std::string_view> members;
      d.for_each([&](std::string_view f, RawRef) { members.push_back(f); });
      write_len(out, members.size());
      for (std::string_view m : members) write_string(out, m, opt.compress);
      return;
    }
    default: {
      std::vector<std::string_view> members = PackReader(tx, v).all();
      out.put(kRdbSet);
      write_len(out, members.size());
      for (std::string_view m : members) write_string(out, m, opt.compress);
      return;
    }
  }
}

void write_hash(RdbOutput& out, stm::Tx& tx, RawRef v, const SaveOptions& opt) {
  if (value_kind(tx, v) == ValueKind::kDict) {
    std::vector<std::pair<std::string_view, std::string_view>> pairs;
    Dict(tx, v).for_each(
        [&](std::string_view f, RawRef val) { pairs.emplace_back(f, str_view(tx, val)); });
    out.put(kRdbHash);
    write_len(out, pairs.size());
    for (auto& [f, val] : pairs) {
      write_string(out, f, opt.compress);
      write_string(out, val, opt.compress);
    }
    return;
  }
  ListpackBuilder b;
  PackReader r(tx, v);
  std::string_view item;
  while (r.next(&item)) b.add(item);
  out.put(kRdbHashListpack);
  write_string(out, b.finish(), opt.compress);
}

void write_zset(RdbOutput& out, stm::Tx& tx, RawRef v, Encoding enc, const SaveOptions& opt) {
  ZSet z(tx, v, enc, ZSetLimits());
  if (enc == Encoding::kListpack) {
    ListpackBuilder b;
    z.for_each([&](const ZElem& e) {
      b.add(e.member);
      b.add(zset_scan_score(e.score, Encoding::kListpack));
    });
    out.put(kRdbZSetListpack);
    write_string(out, b.finish(), opt.compress);
    return;
  }
  std::vector<ZElem> elems;
  elems.reserve(z.size());
  z.for_each([&](const ZElem& e) { elems.push_back(e); });
  out.put(kRdbZSet2);
  write_len(out, elems.size());
  // Redis writes from the tail so that loading inserts at the head.
  for (auto it = elems.rbegin(); it != elems.rend(); ++it) {
    write_string(out, it->member, opt.compress);
    write_binary_double(out, it->score);
  }
}

}  // namespace

void write_value(RdbOutput& out, stm::Tx& tx, const Entry& en, const SaveOptions& opt) {
  switch (static_cast<ObjType>(en.type)) {
    case ObjType::kString:
      out.put(kRdbString);
      write_string(out, str_view(tx, en.value), opt.compress);
      return;
    case ObjType::kList: write_list(out, tx, en.value, opt); return;
    case ObjType::kSet: write_set(out, tx, en.value, opt); return;
    case ObjType::kHash: write_hash(out, tx, en.value, opt); return;
    case ObjType::kZSet:
      write_zset(out, tx, en.value, static_cast<Encoding>(en.encoding), opt);
      return;
  }
}

namespace {

void write_aux(RdbOutput& out, std::string_view key, std::string_view value) {
  out.put(kOpAux);
  write_string(out, key, false);
  write_string(out, value, false);
}

}  // namespace

SaveStats write_rdb(RdbOutput& out, stm::Tx& tx, int databases, int64_t now_ms, uint64_t used_mem,
                    const SaveOptions& opt, const std::function<void(uint64_t)>& progress) {
  SaveStats st;
  char magic[16];
  snprintf(magic, sizeof(magic), "REDIS%04d", kRdbVersion);
  out.write(magic, 9);
  write_aux(out, "redis-ver", "7.0.15");
  write_aux(out, "redis-bits", "64");
  write_aux(out, "ctime", std::to_string(now_ms / 1000));
  write_aux(out, "used-mem", std::to_string(used_mem));
  write_aux(out, "aof-base", "0");
  for (const std::string& code : opt.functions) {
    out.put(kOpFunction2);
    write_string(out, code, opt.compress);
  }
  for (int i = 0; i < databases; ++i) {
    Db db(tx, i, now_ms);
    int64_t size = db.size();
    if (size == 0) continue;
    out.put(kOpSelectDb);
    write_len(out, static_cast<uint64_t>(i));
    out.put(kOpResizeDb);
    write_len(out, static_cast<uint64_t>(size));
    write_len(out, static_cast<uint64_t>(std::max<int64_t>(0, db.expires_count())));
    db.for_each([&](stm::Ref<Entry> e) {
      const Entry& en = db.read(e);
      Entry copy = en;
      if (copy.expire_ms >= 0) {
        out.put(kOpExpireTimeMs);
        put_le(out, static_cast<uint64_t>(copy.expire_ms), 8);
      }
      // The type byte comes first, then the key, then the value body: write_value writes type
      // and body together, so write them into a scratch buffer and splice.
      std::string body;
      RdbOutput tmp(&body);
      write_value(tmp, tx, copy, opt);
      out.put(static_cast<uint8_t>(body[0]));
      write_string(out, str_view(tx, copy.key), opt.compress);
      out.write(body.data() + 1, body.size() - 1);
      if ((++st.keys & 1023) == 0 && progress) progress(st.keys);
    });
  }
  out.put(kOpEof);
  uint64_t crc = opt.checksum ? out.crc() : 0;
  put_le(out, crc, 8);
  st.bytes = out.bytes();
  return st;
}

// --- DUMP / RESTORE ---

std::string dump_payload(stm::Tx& tx, const Entry& en, const SaveOptions& opt) {
  std::string buf;
  RdbOutput out(&buf);
  write_value(out, tx, en, opt);
  put_le(out, kRdbVersion, 2);
  uint64_t crc = out.crc();
  put_le(out, crc, 8);
  return buf;
}

bool verify_dump_payload(std::string_view p) {
  if (p.size() < 10) return false;
  const auto* f = reinterpret_cast<const unsigned char*>(p.data() + p.size() - 10);
  int version = f[0] | (f[1] << 8);
  if (version > kRdbVersion) return false;
  uint64_t stored = 0;
  for (int i = 0; i < 8; ++i) stored |= uint64_t{f[2 + i]} << (8 * i);
  return crc64(0, p.data(), p.size() - 8) == stored;
}

bool parse_dump_payload(std::string_view p, LoadedValue* out) {
  RdbInput in(p.substr(0, p.size() - 10));
  uint8_t type;
  std::string error;
  if (!in.read_byte(&type)) return false;
  if (!read_value(in, type, out, &error)) return false;
  return in.rest().empty() && !out->empty();
}

}  // namespace stmkv::persist
