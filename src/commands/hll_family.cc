// commands/hll_family.cc — HyperLogLog commands (Redis's hyperloglog.c): PFADD PFCOUNT PFMERGE
// PFDEBUG PFSELFTEST.
//
// A HyperLogLog is a plain string value holding Redis's exact representation (ds/hll.h), so GET,
// SET, APPEND, COPY and friends work on it as in Redis. Each command copies the value's bytes,
// works on the copy and, when something changed, stores a new immutable string (OBJECT ENCODING
// "raw", as Redis's dbUnshareStringValue). PFCOUNT of one key stores the recomputed cardinality
// in the header as Redis does, so it writes the key when the cache was stale.
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "commands/util.h"
#include "ds/hll.h"
#include "ds/keyspace.h"
#include "server/command_table.h"
#include "server/effects.h"
#include "server/server.h"

namespace stmkv {

namespace {

using stm::Ref;

constexpr std::string_view kInvalidHll = "INVALIDOBJ Corrupted HLL object detected";
constexpr std::string_view kNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";

size_t sparse_max(CommandContext& ctx) {
  int64_t v = ctx.server.config().hll_sparse_max_bytes;
  return v < 0 ? 0 : size_t(v);
}

// Redis's isHLLObjectOrReply on a live entry: WRONGTYPE for another type, the HLL WRONGTYPE for a
// string that is not a sketch. Returns the bytes through *out.
bool hll_value(CommandContext& ctx, Db& db, Ref<Entry> e, std::string_view* out) {
  const Entry& ent = db.read(e);
  if (static_cast<ObjType>(ent.type) != ObjType::kString) {
    ctx.reply_wrong_type();
    return false;
  }
  std::string_view v = str_view(db.tx(), ent.value);
  if (static_cast<Encoding>(ent.encoding) == Encoding::kInt || !hll::is_valid(v)) {
    ctx.out.add_error(kNotHll);
    return false;
  }
  *out = v;
  return true;
}

// Stores bytes as key's value (raw string), creating the key when e is null (the TTL is kept).
void store(Db& db, Ref<Entry> e, std::string_view key, std::string_view bytes) {
  stm::RawRef v = make_str(db.tx(), bytes);
  if (e.is_null()) {
    db.set(key, ObjType::kString, v, Encoding::kRaw, kNoExpire);
  } else {
    db.set_value(e, ObjType::kString, v, Encoding::kRaw);
  }
}

void cmd_pfadd(CommandContext& ctx) {
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  Ref<Entry> e = db.find(key);
  std::string hll;
  int updated = 0;
  if (e.is_null()) {
    hll = hll::create();
    updated++;
  } else {
    std::string_view v;
    if (!hll_value(ctx, db, e, &v)) return;
    hll.assign(v);
  }
  size_t max_bytes = sparse_max(ctx);
  for (size_t j = 2; j < ctx.argc(); ++j) {
    int r = hll::add(&hll, ctx.arg(j), max_bytes);
    if (r == 1) {
      updated++;
    } else if (r < 0) {
      // Redis keeps what it changed in place before finding the corruption.
      if (updated) store(db, e, key, hll);
      ctx.out.add_error(kInvalidHll);
      return;
    }
  }
  if (updated) {
    hll::invalidate_cache(&hll);
    store(db, e, key, hll);
  }
  ctx.out.add_integer(updated ? 1 : 0);
}

void cmd_pfcount(CommandContext& ctx) {
  Db db = client_db(ctx);
  if (ctx.argc() > 2) {
    // The cardinality of the union, without touching the keys.
    hll::RawRegisters max{};
    for (size_t j = 1; j < ctx.argc(); ++j) {
      Ref<Entry> e = db.find(ctx.arg(j));
      if (e.is_null()) {
        ctx.miss();
        continue;
      }
      ctx.hit();
      std::string_view v;
      if (!hll_value(ctx, db, e, &v)) return;
      if (!hll::merge_into(&max, v)) {
        ctx.out.add_error(kInvalidHll);
        return;
      }
    }
    ctx.out.add_integer(static_cast<long long>(hll::count_raw(max)));
    return;
  }
  Ref<Entry> e = db.find(ctx.arg(1));
  if (e.is_null()) {
    ctx.miss();
    ctx.out.add_integer(0);
    return;
  }
  ctx.hit();
  std::string_view v;
  if (!hll_value(ctx, db, e, &v)) return;
  if (hll::cache_valid(v)) {
    uint64_t card = hll::cached(v);
    if (static_cast<Encoding>(db.read(e).encoding) != Encoding::kRaw) {
      store(db, e, ctx.arg(1), v);  // Redis unshares the value into a raw string
    }
    ctx.out.add_integer(static_cast<long long>(card));
    return;
  }
  bool corrupt = false;
  uint64_t card = hll::count(v, &corrupt);
  if (corrupt) {
    ctx.out.add_error(kInvalidHll);
    return;
  }
  std::string updated(v);
  hll::set_cache(&updated, card);
  store(db, e, ctx.arg(1), updated);
  ctx.out.add_integer(static_cast<long long>(card));
  // AOF (server/effects.h): the cached cardinality changed the value; Redis 7.0 propagates
  // the PFCOUNT itself.
  Effects::current().add(ctx.client.db, {ctx.arg(0), ctx.arg(1)});
}

void cmd_pfmerge(CommandContext& ctx) {
  Db db = client_db(ctx);
  hll::RawRegisters max{};
  bool use_dense = false;
  for (size_t j = 1; j < ctx.argc(); ++j) {
    Ref<Entry> e = db.find(ctx.arg(j));
    if (e.is_null()) {
      ctx.miss();
      continue;
    }
    ctx.hit();
    std::string_view v;
    if (!hll_value(ctx, db, e, &v)) return;
    if (hll::encoding(v) == hll::kDense) use_dense = true;
    if (!hll::merge_into(&max, v)) {
      ctx.out.add_error(kInvalidHll);
      return;
    }
  }
  std::string_view key = ctx.arg(1);
  Ref<Entry> e = db.find(key);
  std::string hll = e.is_null() ? hll::create() : std::string(str_view(db.tx(), db.read(e).value));
  if (use_dense && !hll::to_dense(&hll)) {
    ctx.out.add_error(kInvalidHll);
    return;
  }
  size_t max_bytes = sparse_max(ctx);
  for (long j = 0; j < hll::kRegisters; ++j) {
    if (max[size_t(j)] != 0) hll::set_register(&hll, j, max[size_t(j)], max_bytes);
  }
  hll::invalidate_cache(&hll);
  store(db, e, key, hll);
  ctx.out.add_ok();
}

void cmd_pfdebug(CommandContext& ctx) {
  Db db = client_db(ctx);
  std::string_view sub = ctx.arg(1), key = ctx.arg(2);
  Ref<Entry> e = db.find(key);
  if (e.is_null()) {
    ctx.out.add_error("ERR The specified key does not exist");
    return;
  }
  std::string_view v;
  if (!hll_value(ctx, db, e, &v)) return;
  std::string hll(v);
  if (iequals(sub, "getreg") || iequals(sub, "todense")) {
    bool converted = false;
    if (hll::encoding(hll) == hll::kSparse) {
      if (!hll::to_dense(&hll)) {
        ctx.out.add_error(kInvalidHll);
        return;
      }
      converted = true;
    }
    if (converted || static_cast<Encoding>(db.read(e).encoding) != Encoding::kRaw) {
      store(db, e, key, hll);
    }
    if (iequals(sub, "todense")) {
      ctx.out.add_integer(converted ? 1 : 0);
      return;
    }
    ctx.out.add_array_len(hll::kRegisters);
    for (long j = 0; j < hll::kRegisters; ++j) ctx.out.add_integer(hll::dense_register(hll, j));
  } else if (iequals(sub, "decode")) {
    if (hll::encoding(hll) != hll::kSparse) {
      ctx.out.add_error("ERR HLL encoding is not sparse");
      return;
    }
    ctx.out.add_bulk(hll::decode_sparse(hll));
  } else if (iequals(sub, "encoding")) {
    ctx.out.add_simple_string(hll::encoding(hll) == hll::kDense ? "dense" : "sparse");
  } else {
    ctx.out.add_error("ERR Unknown PFDEBUG subcommand '" + std::string(sub) + "'");
  }
}

// PFSELFTEST: the register packing round-trips, sparse and dense sketches of the same elements
// hold the same registers and estimate the same, and the error stays within bounds.
void cmd_pfselftest(CommandContext& ctx) {
  std::mt19937_64 rng(std::random_device{}());
  // Dense register packing.
  std::vector<uint8_t> expect(hll::kRegisters);
  for (int round = 0; round < 100; ++round) {
    for (long j = 0; j < hll::kRegisters; ++j) expect[size_t(j)] = uint8_t(rng() & 63);
    std::string d(hll::kDenseSize, '\0');
    std::memcpy(d.data(), "HYLL", 4);
    for (long j = 0; j < hll::kRegisters; ++j) hll::set_register(&d, j, expect[size_t(j)], 0);
    for (long j = 0; j < hll::kRegisters; ++j) {
      if (hll::dense_register(d, j) != expect[size_t(j)]) {
        ctx.out.add_error("TESTFAILED Register error at " + std::to_string(j));
        return;
      }
    }
  }
  // Sparse vs dense, and the relative error at growing cardinalities.
  std::string sparse = hll::create();
  std::string full = hll::create();
  hll::to_dense(&full);
  double relerr = 1.04 / std::sqrt(double(hll::kRegisters));
  int64_t checkpoint = 1;
  uint64_t seed = rng();
  for (int64_t j = 1; j <= 1000000; ++j) {
    std::string ele = std::to_string(seed) + ":" + std::to_string(j);
    hll::add(&full, ele, hll::kDefaultSparseMaxBytes);
    if (j <= 10000) hll::add(&sparse, ele, hll::kDefaultSparseMaxBytes);
    if (j == 10000) {
      for (long r = 0; r < hll::kRegisters; ++r) {
        std::string s = sparse;
        if (!hll::to_dense(&s) || hll::dense_register(s, r) != hll::dense_register(full, r)) {
          ctx.out.add_error("TESTFAILED sparse and dense registers differ");
          return;
        }
      }
    }
    if (j != checkpoint) continue;
    bool corrupt = false;
    double est = double(hll::count(full, &corrupt));
    double maxerr = relerr * 6 * double(j);
    if (j == 10) maxerr = 1;  // small cardinalities must be almost exact
    if (std::abs(est - double(j)) > maxerr) {
      ctx.out.add_error("TESTFAILED Too big error. card:" + std::to_string(j) +
                        " abserr:" + std::to_string(std::abs(est - double(j))));
      return;
    }
    checkpoint *= 10;
  }
  ctx.out.add_ok();
}

}  // namespace

void register_hll_family(CommandTable& t) {
  // clang-format off
  t.add({.name = "pfadd", .arity = -2, .flags = kCmdWrite | kCmdDenyOom | kCmdFast | kCmdTx,
         .first_key = 1, .last_key = 1, .key_step = 1,
         .acl = kAclWrite | kAclHyperloglog | kAclFast, .handler = cmd_pfadd,
         .group = "hyperloglog", .since = "2.8.9",
         .summary = "Adds the specified elements to the specified HyperLogLog.",
         .complexity = "O(1) to add every element.", .syntax = "key [element [element ...]]"});
  t.add({.name = "pfcount", .arity = -2, .flags = kCmdReadonly | kCmdTx,
         .first_key = 1, .last_key = -1, .key_step = 1,
         .acl = kAclRead | kAclHyperloglog | kAclSlow, .handler = cmd_pfcount,
         .group = "hyperloglog", .since = "2.8.9",
         .summary = "Return the approximated cardinality of the set(s) observed by the "
                    "HyperLogLog at key(s).",
         .complexity = "O(1) with a very small average constant time when called with a single "
                       "key. O(N) with N being the number of keys, and much bigger constant "
                       "times, when called with multiple keys.",
         .syntax = "key [key ...]"});
  t.add({.name = "pfmerge", .arity = -2, .flags = kCmdWrite | kCmdDenyOom | kCmdTx,
         .first_key = 1, .last_key = -1, .key_step = 1,
         .acl = kAclWrite | kAclHyperloglog | kAclSlow, .handler = cmd_pfmerge,
         .group = "hyperloglog", .since = "2.8.9",
         .summary = "Merge N different HyperLogLogs into a single one.",
         .complexity = "O(N) to merge N HyperLogLogs, but with high constant times.",
         .syntax = "destkey sourcekey [sourcekey ...]"});
  t.add({.name = "pfdebug", .arity = 3, .flags = kCmdWrite | kCmdDenyOom | kCmdAdmin | kCmdTx,
         .first_key = 2, .last_key = 2, .key_step = 1,
         .acl = kAclWrite | kAclHyperloglog | kAclAdmin | kAclSlow | kAclDangerous,
         .handler = cmd_pfdebug, .group = "hyperloglog", .since = "2.8.9",
         .summary = "Internal commands for debugging HyperLogLog values",
         .complexity = "N/A", .syntax = "subcommand key"});
  t.add({.name = "pfselftest", .arity = 1, .flags = kCmdAdmin,
         .acl = kAclHyperloglog | kAclAdmin | kAclSlow | kAclDangerous,
         .handler = cmd_pfselftest, .group = "hyperloglog", .since = "2.8.9",
         .summary = "An internal command for testing HyperLogLog values",
         .complexity = "N/A", .syntax = ""});
  // clang-format on
}

}  // namespace stmkv
