// commands/bit_family.cc — bitmap commands on string values (Redis's bitops.c): SETBIT, GETBIT,
// BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO. Registered by register_string_family.
//
// Values are immutable string objects, so a write (SETBIT, BITFIELD SET/INCRBY, BITOP) builds
// a new value and swaps it in: O(length of the value) rather than Redis's O(1). Results are
// "raw" encoded as in Redis. A write that would change neither the bytes nor the encoding
// leaves the key untouched (no conflict with concurrent readers).
#include <algorithm>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "commands/util.h"
#include "ds/keyspace.h"
#include "server/command_table.h"
#include "server/server.h"

namespace stmkv {

void register_bit_family(CommandTable& t);

namespace {

using stm::Ref;

constexpr std::string_view kBitOffsetErr = "ERR bit offset is not an integer or out of range";
constexpr std::string_view kBitValueErr = "ERR bit is not an integer or out of range";
constexpr std::string_view kBitfieldTypeErr =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.";

std::string_view string_value(Db& db, Ref<Entry> e) { return str_view(db.tx(), db.read(e).value); }

bool is_string(Db& db, Ref<Entry> e) {
  return static_cast<ObjType>(db.read(e).type) == ObjType::kString;
}

// Looks key up counting a keyspace hit or miss (Redis's lookupKeyRead); null when absent.
Ref<Entry> find_read(CommandContext& ctx, Db& db, std::string_view key) {
  Ref<Entry> e = db.find(key);
  e.is_null() ? ctx.miss() : ctx.hit();
  return e;
}

// Redis's getBitOffsetFromArgument: a bit offset below proto-max-bulk-len * 8; with `hash`,
// "#N" means N * bits. Replies the bit offset error and returns false otherwise.
bool parse_bit_offset(CommandContext& ctx, std::string_view arg, bool hash, int bits,
                      uint64_t* out) {
  bool use_hash = hash && arg.size() > 1 && arg[0] == '#';
  int64_t v;
  bool ok = parse_int64(use_hash ? arg.substr(1) : arg, &v);
  if (ok && use_hash && __builtin_mul_overflow(v, int64_t{bits}, &v)) ok = false;
  if (!ok || v < 0 || (v >> 3) >= ctx.server.config().proto_max_bulk_len) {
    ctx.out.add_error(kBitOffsetErr);
    return false;
  }
  *out = uint64_t(v);
  return true;
}

// A copy of key's string value (empty when absent), grown with zero bytes to at least
// min_len bytes; *created tells whether the key was absent. Redis's lookupStringForBitCommand.
// Replies WRONGTYPE and returns false when key holds another type.
struct BitTarget {
  Ref<Entry> entry;  // null when the key is absent
  std::string bytes;
  size_t old_len = 0;
  bool was_raw = false;
};
bool load_for_bit_write(CommandContext& ctx, Db& db, std::string_view key, size_t min_len,
                        BitTarget* t) {
  t->entry = db.find(key);
  if (!t->entry.is_null()) {
    if (!is_string(db, t->entry)) {
      ctx.reply_wrong_type();
      return false;
    }
    std::string_view v = string_value(db, t->entry);
    t->old_len = v.size();
    t->was_raw = static_cast<Encoding>(db.read(t->entry).encoding) == Encoding::kRaw;
    t->bytes.reserve(std::max(v.size(), min_len));
    t->bytes.assign(v);
  }
  if (t->bytes.size() < min_len) t->bytes.resize(min_len, '\0');
  return true;
}

// Stores t->bytes as key's raw value (keeping the TTL) unless nothing would change.
void store_bit_target(Db& db, std::string_view key, const BitTarget& t, bool changed) {
  if (!t.entry.is_null() && t.was_raw && !changed && t.bytes.size() == t.old_len) return;
  stm::RawRef v = make_str(db.tx(), t.bytes);
  if (t.entry.is_null()) {
    db.set(key, ObjType::kString, v, Encoding::kRaw, kNoExpire);
  } else {
    db.set_value(t.entry, ObjType::kString, v, Encoding::kRaw);
  }
}

// --- SETBIT, GETBIT ---

void cmd_setbit(CommandContext& ctx) {
  uint64_t offset;
  if (!parse_bit_offset(ctx, ctx.arg(2), false, 0, &offset)) return;
  int64_t on;
  if (!parse_int64(ctx.arg(3), &on) || (on & ~int64_t{1})) {
    ctx.out.add_error(kBitValueErr);
    return;
  }
  Db db = client_db(ctx);
  size_t byte = offset >> 3;
  BitTarget t;
  if (!load_for_bit_write(ctx, db, ctx.arg(1), byte + 1, &t)) return;
  int bit = 7 - int(offset & 7);
  unsigned char old = static_cast<unsigned char>(t.bytes[byte]);
  int bitval = (old >> bit) & 1;
  unsigned char now = static_cast<unsigned char>((old & ~(1u << bit)) | (unsigned(on) << bit));
  t.bytes[byte] = static_cast<char>(now);
  store_bit_target(db, ctx.arg(1), t, now != old);
  ctx.out.add_integer(bitval);
}

void cmd_getbit(CommandContext& ctx) {
  uint64_t offset;
  if (!parse_bit_offset(ctx, ctx.arg(2), false, 0, &offset)) return;
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kString, &wrong);
  if (wrong) return;
  int bitval = 0;
  if (!e.is_null()) {
    std::string_view v = string_value(db, e);
    size_t byte = offset >> 3;
    if (byte < v.size()) bitval = (static_cast<unsigned char>(v[byte]) >> (7 - (offset & 7))) & 1;
  }
  ctx.out.add_integer(bitval);
}

// --- BITCOUNT, BITPOS ---

int64_t popcount(const unsigned char* p, size_t n) {
  int64_t count = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    count += __builtin_popcountll(w);
  }
  for (; i < n; ++i) count += __builtin_popcount(p[i]);
  return count;
}

// Parses BYTE|BIT at argv[i]; replies a syntax error and returns false otherwise.
bool parse_unit(CommandContext& ctx, size_t i, bool* isbit) {
  if (iequals(ctx.arg(i), "bit")) {
    *isbit = true;
  } else if (iequals(ctx.arg(i), "byte")) {
    *isbit = false;
  } else {
    ctx.reply_syntax_error();
    return false;
  }
  return true;
}

// Clamps [*start, *end] to [0, total) as Redis's bitcount/bitpos (negative = from the end).
void clamp_range(int64_t total, int64_t* start, int64_t* end) {
  if (*start < 0) *start += total;
  if (*end < 0) *end += total;
  if (*start < 0) *start = 0;
  if (*end < 0) *end = 0;
  if (*end >= total) *end = total - 1;
}

void cmd_bitcount(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kString, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    ctx.out.add_integer(0);
    return;
  }
  std::string_view v = string_value(db, e);
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  int64_t len = int64_t(v.size());
  int64_t start = 0, end = len - 1;  // bits when isbit, else bytes
  bool isbit = false;
  if (ctx.argc() == 4 || ctx.argc() == 5) {
    if (!arg_int64(ctx, 2, &start) || !arg_int64(ctx, 3, &end)) return;
    if (ctx.argc() == 5 && !parse_unit(ctx, 4, &isbit)) return;
    if (start < 0 && end < 0 && start > end) {
      ctx.out.add_integer(0);
      return;
    }
    clamp_range(isbit ? len * 8 : len, &start, &end);
  } else if (ctx.argc() != 2) {
    ctx.reply_syntax_error();
    return;
  }
  if (start > end) {
    ctx.out.add_integer(0);
    return;
  }
  if (!isbit) {
    ctx.out.add_integer(popcount(p + start, size_t(end - start + 1)));
    return;
  }
  int64_t sb = start >> 3, eb = end >> 3;
  int64_t count = popcount(p + sb, size_t(eb - sb + 1));
  // Remove the bits of the edge bytes outside [start, end].
  unsigned first_out = ~((1u << (8 - (start & 7))) - 1) & 0xFF;
  unsigned last_out = (1u << (7 - (end & 7))) - 1;
  count -= __builtin_popcount(p[sb] & first_out) + __builtin_popcount(p[eb] & last_out);
  ctx.out.add_integer(count);
}

// The first bit equal to `bit` in bit positions [lo, hi] of p, or -1.
int64_t find_bit(const unsigned char* p, int64_t lo, int64_t hi, int bit) {
  auto bit_at = [&](int64_t pos) { return (p[pos >> 3] >> (7 - (pos & 7))) & 1; };
  int64_t pos = lo;
  for (; pos <= hi && (pos & 7) != 0; ++pos) {
    if (bit_at(pos) == bit) return pos;
  }
  const unsigned char skip = bit ? 0x00 : 0xFF;
  while (pos + 7 <= hi && p[pos >> 3] == skip) pos += 8;
  for (; pos <= hi; ++pos) {
    if (bit_at(pos) == bit) return pos;
  }
  return -1;
}

void cmd_bitpos(CommandContext& ctx) {
  int64_t bit;
  if (!arg_int64(ctx, 2, &bit)) return;
  if (bit != 0 && bit != 1) {
    ctx.out.add_error("ERR The bit argument must be 1 or 0.");
    return;
  }
  Db db = client_db(ctx);
  Ref<Entry> e = find_read(ctx, db, ctx.arg(1));
  if (e.is_null()) {
    // An absent key is an infinite run of zero bits.
    ctx.out.add_integer(bit ? -1 : 0);
    return;
  }
  if (!is_string(db, e)) {
    ctx.reply_wrong_type();
    return;
  }
  std::string_view v = string_value(db, e);
  const auto* p = reinterpret_cast<const unsigned char*>(v.data());
  int64_t len = int64_t(v.size());
  int64_t start = 0, end = len - 1;
  bool isbit = false, end_given = false;
  if (ctx.argc() >= 4 && ctx.argc() <= 6) {
    if (!arg_int64(ctx, 3, &start)) return;
    if (ctx.argc() == 6 && !parse_unit(ctx, 5, &isbit)) return;
    if (ctx.argc() >= 5) {
      if (!arg_int64(ctx, 4, &end)) return;
      end_given = true;
    } else {
      end = isbit ? len * 8 + 7 : len - 1;
    }
    clamp_range(isbit ? len * 8 : len, &start, &end);
  } else if (ctx.argc() != 3) {
    ctx.reply_syntax_error();
    return;
  }
  // An empty range holds neither a 0 nor a 1.
  if (start > end) {
    ctx.out.add_integer(-1);
    return;
  }
  int64_t lo = isbit ? start : start * 8;
  int64_t hi = isbit ? end : end * 8 + 7;
  int64_t pos = find_bit(p, lo, hi, int(bit));
  // Looking for a 0 without an explicit end: the string is padded with zeros on the right.
  if (pos < 0 && bit == 0 && !end_given) pos = hi + 1;
  ctx.out.add_integer(pos);
}

// --- BITOP ---

void cmd_bitop(CommandContext& ctx) {
  enum Op { kAnd, kOr, kXor, kNot } op;
  std::string_view name = ctx.arg(1);
  if (iequals(name, "and")) {
    op = kAnd;
  } else if (iequals(name, "or")) {
    op = kOr;
  } else if (iequals(name, "xor")) {
    op = kXor;
  } else if (iequals(name, "not")) {
    op = kNot;
  } else {
    ctx.reply_syntax_error();
    return;
  }
  if (op == kNot && ctx.argc() != 4) {
    ctx.out.add_error("ERR BITOP NOT must be called with a single source key.");
    return;
  }
  Db db = client_db(ctx);
  size_t nsrc = ctx.argc() - 3;
  std::vector<std::string_view> src(nsrc);
  size_t maxlen = 0;
  for (size_t j = 0; j < nsrc; ++j) {
    Ref<Entry> e = find_read(ctx, db, ctx.arg(j + 3));
    if (e.is_null()) continue;  // an absent key is an empty string
    if (!is_string(db, e)) {
      ctx.reply_wrong_type();
      return;
    }
    src[j] = string_value(db, e);
    maxlen = std::max(maxlen, src[j].size());
  }
  std::string_view dest = ctx.arg(2);
  if (maxlen == 0) {
    db.remove(dest);
    ctx.out.add_integer(0);
    return;
  }
  char* out;
  stm::RawRef v = make_str_uninit(db.tx(), maxlen, &out);
  auto byte_of = [&](size_t j, size_t i) -> unsigned char {
    return i < src[j].size() ? static_cast<unsigned char>(src[j][i]) : 0;
  };
  for (size_t i = 0; i < maxlen; ++i) {
    unsigned char r = byte_of(0, i);
    if (op == kNot) r = static_cast<unsigned char>(~r);
    for (size_t j = 1; j < nsrc; ++j) {
      unsigned char b = byte_of(j, i);
      if (op == kAnd) {
        r &= b;
      } else if (op == kOr) {
        r |= b;
      } else {
        r ^= b;
      }
    }
    out[i] = static_cast<char>(r);
  }
  db.set(dest, ObjType::kString, v, Encoding::kRaw, kNoExpire);
  ctx.out.add_integer(static_cast<long long>(maxlen));
}

// --- BITFIELD, BITFIELD_RO ---

enum class Overflow { kWrap, kSat, kFail };
enum class FieldOp { kGet, kSet, kIncrby };

struct FieldCmd {
  FieldOp op;
  Overflow overflow;
  bool sign;
  int bits;
  uint64_t offset;
  int64_t value;  // SET / INCRBY argument
};

// Bits [offset, offset+bits) of p (len bytes; bits past the end read as 0), MSB first.
uint64_t get_unsigned_field(const unsigned char* p, size_t len, uint64_t offset, int bits) {
  uint64_t v = 0;
  for (int j = 0; j < bits; ++j, ++offset) {
    uint64_t byte = offset >> 3;
    int bit = byte < len ? (p[byte] >> (7 - (offset & 7))) & 1 : 0;
    v = (v << 1) | uint64_t(bit);
  }
  return v;
}
int64_t get_signed_field(const unsigned char* p, size_t len, uint64_t offset, int bits) {
  uint64_t u = get_unsigned_field(p, len, offset, bits);
  if (bits < 64 && (u & (uint64_t{1} << (bits - 1)))) u |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(u);
}
// Writes the low `bits` bits of v at offset (the buffer covers them).
void set_field(unsigned char* p, uint64_t offset, int bits, uint64_t v) {
  for (int j = 0; j < bits; ++j, ++offset) {
    uint64_t bitval = (v >> (bits - 1 - j)) & 1;
    unsigned char mask = static_cast<unsigned char>(1u << (7 - (offset & 7)));
    if (bitval) {
      p[offset >> 3] |= mask;
    } else {
      p[offset >> 3] &= static_cast<unsigned char>(~mask);
    }
  }
}

// Redis's checkSignedBitfieldOverflow: whether value + incr overflows a signed field of
// `bits` bits; *limit receives the wrapped or saturated result.
bool signed_overflow(int64_t value, int64_t incr, int bits, Overflow ow, int64_t* limit) {
  int64_t max = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
  int64_t min = -max - 1;
  int64_t maxincr = static_cast<int64_t>(uint64_t(max) - uint64_t(value));
  int64_t minincr = static_cast<int64_t>(uint64_t(min) - uint64_t(value));
  bool over =
      value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr);
  bool under = !over && (value < min || (bits != 64 && incr < minincr) ||
                         (value < 0 && incr < 0 && incr < minincr));
  if (!over && !under) return false;
  if (ow == Overflow::kWrap) {
    uint64_t c = uint64_t(value) + uint64_t(incr);
    if (bits < 64) {
      uint64_t mask = ~uint64_t{0} << bits;
      c = (c & (uint64_t{1} << (bits - 1))) ? (c | mask) : (c & ~mask);
    }
    *limit = static_cast<int64_t>(c);
  } else if (ow == Overflow::kSat) {
    *limit = over ? max : min;
  }
  return true;
}

// Redis's checkUnsignedBitfieldOverflow.
bool unsigned_overflow(uint64_t value, int64_t incr, int bits, Overflow ow, uint64_t* limit) {
  uint64_t max = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
  int64_t maxincr = static_cast<int64_t>(max - value);
  int64_t minincr = static_cast<int64_t>(uint64_t{0} - value);
  bool over = value > max || (incr > 0 && incr > maxincr);
  bool under = !over && incr < 0 && incr < minincr;
  if (!over && !under) return false;
  if (ow == Overflow::kWrap) {
    *limit = (value + uint64_t(incr)) & ~(~uint64_t{0} << bits);
  } else if (ow == Overflow::kSat) {
    *limit = over ? max : 0;
  }
  return true;
}

// Parses "i<bits>" / "u<bits>" (i1..i64, u1..u63).
bool parse_field_type(std::string_view s, bool* sign, int* bits) {
  if (s.empty() || (s[0] != 'i' && s[0] != 'u')) return false;
  *sign = s[0] == 'i';
  int64_t n;
  if (!parse_int64(s.substr(1), &n) || n < 1 || n > (*sign ? 64 : 63)) return false;
  *bits = int(n);
  return true;
}

void bitfield_generic(CommandContext& ctx, bool readonly_cmd) {
  std::vector<FieldCmd> cmds;
  Overflow overflow = Overflow::kWrap;
  bool readonly = true;
  uint64_t highest_write = 0;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    size_t remaining = ctx.argc() - j - 1;
    std::string_view sub = ctx.arg(j);
    FieldCmd c{};
    if (iequals(sub, "get") && remaining >= 2) {
      c.op = FieldOp::kGet;
    } else if (iequals(sub, "set") && remaining >= 3) {
      c.op = FieldOp::kSet;
    } else if (iequals(sub, "incrby") && remaining >= 3) {
      c.op = FieldOp::kIncrby;
    } else if (iequals(sub, "overflow") && remaining >= 1) {
      std::string_view type = ctx.arg(++j);
      if (iequals(type, "wrap")) {
        overflow = Overflow::kWrap;
      } else if (iequals(type, "sat")) {
        overflow = Overflow::kSat;
      } else if (iequals(type, "fail")) {
        overflow = Overflow::kFail;
      } else {
        ctx.out.add_error("ERR Invalid OVERFLOW type specified");
        return;
      }
      continue;
    } else {
      ctx.reply_syntax_error();
      return;
    }
    if (!parse_field_type(ctx.arg(j + 1), &c.sign, &c.bits)) {
      ctx.out.add_error(kBitfieldTypeErr);
      return;
    }
    if (!parse_bit_offset(ctx, ctx.arg(j + 2), true, c.bits, &c.offset)) return;
    if (c.op != FieldOp::kGet) {
      readonly = false;
      highest_write = std::max(highest_write, c.offset + uint64_t(c.bits) - 1);
      if (!arg_int64(ctx, j + 3, &c.value)) return;
    }
    c.overflow = overflow;
    cmds.push_back(c);
    j += c.op == FieldOp::kGet ? 2 : 3;
  }

  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  if (readonly) {
    Ref<Entry> e = find_read(ctx, db, key);
    if (!e.is_null() && !is_string(db, e)) {
      ctx.reply_wrong_type();
      return;
    }
    std::string_view v = e.is_null() ? std::string_view() : string_value(db, e);
    const auto* p = reinterpret_cast<const unsigned char*>(v.data());
    ctx.out.add_array_len(cmds.size());
    for (const FieldCmd& c : cmds) {
      if (c.sign) {
        ctx.out.add_integer(get_signed_field(p, v.size(), c.offset, c.bits));
      } else {
        ctx.out.add_integer(
            static_cast<long long>(get_unsigned_field(p, v.size(), c.offset, c.bits)));
      }
    }
    return;
  }
  if (readonly_cmd) {
    ctx.out.add_error("ERR BITFIELD_RO only supports the GET subcommand");
    return;
  }
  BitTarget t;
  if (!load_for_bit_write(ctx, db, key, (highest_write >> 3) + 1, &t)) return;
  auto* p = reinterpret_cast<unsigned char*>(t.bytes.data());
  size_t len = t.bytes.size();
  bool changed = false;
  ctx.out.add_array_len(cmds.size());
  for (const FieldCmd& c : cmds) {
    if (c.op == FieldOp::kGet) {
      if (c.sign) {
        ctx.out.add_integer(get_signed_field(p, len, c.offset, c.bits));
      } else {
        ctx.out.add_integer(static_cast<long long>(get_unsigned_field(p, len, c.offset, c.bits)));
      }
      continue;
    }
    bool over;
    uint64_t oldbits, newbits;
    long long reply;
    if (c.sign) {
      int64_t oldval = get_signed_field(p, len, c.offset, c.bits), newval, wrapped = 0;
      if (c.op == FieldOp::kIncrby) {
        over = signed_overflow(oldval, c.value, c.bits, c.overflow, &wrapped);
        newval = over ? wrapped : static_cast<int64_t>(uint64_t(oldval) + uint64_t(c.value));
        reply = newval;
      } else {
        over = signed_overflow(c.value, 0, c.bits, c.overflow, &wrapped);
        newval = over ? wrapped : c.value;
        reply = oldval;
      }
      oldbits = uint64_t(oldval);
      newbits = uint64_t(newval);
    } else {
      uint64_t oldval = get_unsigned_field(p, len, c.offset, c.bits), newval, wrapped = 0;
      if (c.op == FieldOp::kIncrby) {
        over = unsigned_overflow(oldval, c.value, c.bits, c.overflow, &wrapped);
        newval = over ? wrapped : oldval + uint64_t(c.value);
        reply = static_cast<long long>(newval);
      } else {
        over = unsigned_overflow(uint64_t(c.value), 0, c.bits, c.overflow, &wrapped);
        newval = over ? wrapped : uint64_t(c.value);
        reply = static_cast<long long>(oldval);
      }
      oldbits = oldval;
      newbits = newval;
    }
    if (over && c.overflow == Overflow::kFail) {
      ctx.out.add_null();
      continue;
    }
    ctx.out.add_integer(reply);
    set_field(p, c.offset, c.bits, newbits);
    uint64_t mask = c.bits == 64 ? ~uint64_t{0} : (uint64_t{1} << c.bits) - 1;
    if ((oldbits & mask) != (newbits & mask)) changed = true;
  }
  store_bit_target(db, key, t, changed);
}

void cmd_bitfield(CommandContext& ctx) { bitfield_generic(ctx, false); }
void cmd_bitfield_ro(CommandContext& ctx) { bitfield_generic(ctx, true); }

}  // namespace

void register_bit_family(CommandTable& t) {
  // One command per block, compact like the other families' tables.
  // clang-format off
  constexpr uint32_t kR = kCmdReadonly | kCmdTx;
  constexpr uint32_t kW = kCmdWrite | kCmdDenyOom | kCmdTx;
  constexpr uint64_t kRd = kAclRead | kAclBitmap;
  constexpr uint64_t kWr = kAclWrite | kAclBitmap;
  t.add({.name = "setbit", .arity = 4, .flags = kW, .first_key = 1, .last_key = 1,
         .key_step = 1, .acl = kWr | kAclSlow, .handler = cmd_setbit, .group = "bitmap",
         .since = "2.2.0",
         .summary = "Sets or clears the bit at offset in the string value stored at key",
         .complexity = "O(1)", .syntax = "key offset value"});
  t.add({.name = "getbit", .arity = 3, .flags = kR | kCmdFast, .first_key = 1, .last_key = 1,
         .key_step = 1, .acl = kRd | kAclFast, .handler = cmd_getbit, .group = "bitmap",
         .since = "2.2.0",
         .summary = "Returns the bit value at offset in the string value stored at key",
         .complexity = "O(1)", .syntax = "key offset"});
  t.add({.name = "bitcount", .arity = -2, .flags = kR, .first_key = 1, .last_key = 1,
         .key_step = 1, .acl = kRd | kAclSlow, .handler = cmd_bitcount, .group = "bitmap",
         .since = "2.6.0", .summary = "Count set bits in a string", .complexity = "O(N)",
         .syntax = "key [start end [BYTE|BIT]]"});
  t.add({.name = "bitpos", .arity = -3, .flags = kR, .first_key = 1, .last_key = 1,
         .key_step = 1, .acl = kRd | kAclSlow, .handler = cmd_bitpos, .group = "bitmap",
         .since = "2.8.7", .summary = "Find first bit set or clear in a string",
         .complexity = "O(N)", .syntax = "key bit [start [end [BYTE|BIT]]]"});
  t.add({.name = "bitop", .arity = -4, .flags = kW, .first_key = 2, .last_key = -1,
         .key_step = 1, .acl = kWr | kAclSlow, .handler = cmd_bitop, .group = "bitmap",
         .since = "2.6.0", .summary = "Perform bitwise operations between strings",
         .complexity = "O(N)", .syntax = "operation destkey key [key ...]"});
  t.add({.name = "bitfield", .arity = -2, .flags = kW, .first_key = 1, .last_key = 1,
         .key_step = 1, .acl = kWr | kAclSlow, .handler = cmd_bitfield, .group = "bitmap",
         .since = "3.2.0", .summary = "Perform arbitrary bitfield integer operations on strings",
         .complexity = "O(1) for each subcommand specified",
         .syntax = "key [GET encoding offset] [SET encoding offset value] "
                   "[INCRBY encoding offset increment] [OVERFLOW WRAP|SAT|FAIL]"});
  t.add({.name = "bitfield_ro", .arity = -2, .flags = kR | kCmdFast, .first_key = 1,
         .last_key = 1, .key_step = 1, .acl = kRd | kAclFast, .handler = cmd_bitfield_ro,
         .group = "bitmap", .since = "6.0.0",
         .summary = "Perform arbitrary bitfield integer operations on strings. Read-only variant "
                    "of BITFIELD",
         .complexity = "O(1) for each subcommand specified",
         .syntax = "key [GET encoding offset [GET encoding offset ...]]"});
  // clang-format on
}

}  // namespace stmkv
