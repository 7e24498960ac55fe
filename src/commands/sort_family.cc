// commands/sort_family.cc — SORT and SORT_RO (Redis 7.0's sort.c) on lists, sets and sorted
// sets: BY pattern (a pattern without '*', e.g. "nosort", skips sorting), GET patterns ("#" is
// the element, "key*->field" a hash field), LIMIT, ASC/DESC, ALPHA, STORE (SORT only).
//
// The whole command is one transaction: the elements are copied out of the value, scored (from
// themselves or the BY keys), sorted, and either replied or pushed into a new list that replaces
// the STORE destination (deleted when the result is empty). As in Redis, sorting is numeric by
// default (strtod rules; ties compare the elements as binary strings), ALPHA compares as strcoll
// in the C locale (strcmp), or binary with STORE; the sort is stable as glibc's qsort is.
// Unsorted output keeps the value's own order: list order, sorted-set score order, set iteration
// order (an intset is ascending; a hashtable set's order differs from Redis's, as its hash does).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "commands/util.h"
#include "ds/collections.h"
#include "ds/dict.h"
#include "ds/keyspace.h"
#include "ds/list.h"
#include "ds/small_map.h"
#include "ds/zset.h"
#include "server/acl.h"
#include "server/command_table.h"
#include "server/server.h"

namespace stmkv {

namespace {

using stm::RawRef;
using stm::Ref;

struct SortOptions {
  bool desc = false;
  bool alpha = false;
  bool dontsort = false;
  int64_t limit_start = 0;
  int64_t limit_count = -1;
  std::optional<std::string_view> by;
  std::optional<std::string_view> store;
  std::vector<std::string_view> gets;
};

// The part of s before its first NUL byte (Redis reads patterns with strchr/strstr).
std::string_view c_str_part(std::string_view s) {
  size_t nul = s.find('\0');
  return nul == std::string_view::npos ? s : s.substr(0, nul);
}

// Whether the client's user may read every key (Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess
// for read access): BY and GET patterns name keys that the ACL cannot check one by one.
bool unrestricted_key_reads(CommandContext& ctx) {
  const AclUser* u = ctx.client.user.get();
  if (u == nullptr || u->allkeys) return true;
  for (const AclKeyPattern& k : u->keys) {
    if (k.pattern == "*" && k.read) return true;
  }
  return false;
}

// Parses the options from argv[2] as sortCommandGeneric does. Replies and returns false on error.
bool parse_options(CommandContext& ctx, bool readonly, SortOptions* o) {
  for (size_t j = 2; j < ctx.argc(); ++j) {
    std::string_view a = ctx.arg(j);
    size_t left = ctx.argc() - j - 1;
    if (iequals(a, "asc")) {
      o->desc = false;
    } else if (iequals(a, "desc")) {
      o->desc = true;
    } else if (iequals(a, "alpha")) {
      o->alpha = true;
    } else if (iequals(a, "limit") && left >= 2) {
      if (!arg_int64(ctx, j + 1, &o->limit_start) || !arg_int64(ctx, j + 2, &o->limit_count)) {
        return false;
      }
      j += 2;
    } else if (!readonly && iequals(a, "store") && left >= 1) {
      o->store = ctx.arg(++j);
    } else if (iequals(a, "by") && left >= 1) {
      o->by = ctx.arg(++j);
      // A pattern without '*' cannot name per-element keys: nothing to sort by.
      if (c_str_part(*o->by).find('*') == std::string_view::npos) {
        o->dontsort = true;
      } else if (!unrestricted_key_reads(ctx)) {
        ctx.out.add_error("ERR BY option of SORT denied due to insufficient ACL permissions.");
        return false;
      }
    } else if (iequals(a, "get") && left >= 1) {
      if (!unrestricted_key_reads(ctx)) {
        ctx.out.add_error("ERR GET option of SORT denied due to insufficient ACL permissions.");
        return false;
      }
      o->gets.push_back(ctx.arg(++j));
    } else {
      ctx.reply_syntax_error();
      return false;
    }
  }
  return true;
}

// Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by
// the element and the key's string value (or, with "->field", the hash field) is returned.
std::optional<std::string_view> lookup_by_pattern(CommandContext& ctx, Db& db,
                                                  std::string_view pattern,
                                                  std::string_view subst) {
  std::string_view cpat = c_str_part(pattern);
  if (cpat == "#") return subst;
  size_t star = cpat.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  size_t arrow = cpat.find("->", star + 1);
  size_t fieldlen = 0;
  std::string_view field;
  if (arrow != std::string_view::npos && arrow + 2 < cpat.size()) {
    fieldlen = pattern.size() - arrow - 2;
    field = pattern.substr(arrow + 2);
  }
  size_t postfix = pattern.size() - (star + 1) - (fieldlen ? fieldlen + 2 : 0);
  std::string key;
  key.reserve(star + subst.size() + postfix);
  key.append(pattern.substr(0, star));
  key.append(subst);
  key.append(pattern.substr(star + 1, postfix));

  Ref<Entry> e = db.find(key);
  if (e.is_null()) {
    ctx.miss();
    return std::nullopt;
  }
  ctx.hit();
  const Entry& ent = db.read(e);
  if (fieldlen) {
    if (static_cast<ObjType>(ent.type) != ObjType::kHash) return std::nullopt;
    std::string_view value;
    if (!hash_get(db.tx(), ent.value, field, &value)) return std::nullopt;
    return value;
  }
  if (static_cast<ObjType>(ent.type) != ObjType::kString) return std::nullopt;
  return str_view(db.tx(), ent.value);
}

// Redis 7.0's SORT converts a listpack sorted set to a skiplist in place before reading it
// (sort.c: "Destructively convert encoded sorted sets for SORT"), so OBJECT ENCODING answers
// "skiplist" afterwards, also after SORT_RO. As in Redis the key is not marked modified: the
// entry's value and encoding are replaced without a new modification stamp (WATCH is not broken)
// or last-write time. Returns the new value.
RawRef convert_zset_to_skiplist(stm::Tx& tx, Ref<Entry> e, RawRef value, const ZSetLimits& lim) {
  std::vector<std::string> members;
  std::vector<double> scores;
  ZSet(tx, value, Encoding::kListpack, lim).for_each([&](const ZElem& el) {
    members.emplace_back(el.member);
    scores.push_back(el.score);
  });
  std::vector<ZElem> sorted(members.size());
  for (size_t i = 0; i < members.size(); ++i) sorted[i] = ZElem{members[i], scores[i]};
  RawRef converted = ZSet::build(tx, sorted, ZSetLimits{0, lim.max_listpack_value}).value();
  // Granule 1 holds {key, value}, granule 2 {expire, version, type, encoding} (ds/objects.h):
  // the value and its encoding change, not the version (a conversion is not a write for WATCH).
  Entry* w = reinterpret_cast<Entry*>(tx.write_bytes(e, offsetof(Entry, key), 32) -
                                      offsetof(Entry, key));
  w->value = converted;
  w->encoding = static_cast<uint8_t>(Encoding::kSkiplist);
  free_value(tx, ObjType::kZSet, value);
  return converted;
}

struct Item {
  size_t elem;  // index into the element strings
  double score = 0;
  std::optional<std::string_view> cmp;  // ALPHA with BY: the BY value (absent: sorts first)
};

// Redis's compareStringObjects (binary) and collateStringObjects (strcoll, C locale).
int binary_compare(std::string_view a, std::string_view b) {
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}
int collate_compare(std::string_view a, std::string_view b) {
  return binary_compare(c_str_part(a), c_str_part(b));
}

// strtod as SORT applies it: the whole string must be consumed (up to a NUL), no overflow, no NaN.
bool sort_score(std::string_view s, double* out) {
  std::string buf(s);
  char* end;
  errno = 0;
  double v = std::strtod(buf.c_str(), &end);
  *out = v;
  return *end == '\0' && errno != ERANGE && !std::isnan(v);
}

// The keys of SORT: the sorted key, and the last STORE destination (Redis's sortGetKeys).
std::vector<KeyPosition> sort_keys(std::span<const std::string_view> argv) {
  std::vector<KeyPosition> keys{{1, {"RO", "access"}}};
  std::optional<int> store;
  for (size_t i = 2; i < argv.size(); ++i) {
    if (iequals(argv[i], "limit")) {
      i += 2;
    } else if (iequals(argv[i], "get") || iequals(argv[i], "by")) {
      i += 1;
    } else if (iequals(argv[i], "store") && i + 1 < argv.size()) {
      store = int(i + 1);  // the last STORE wins; its argument is scanned as an option too
    }
  }
  if (store) keys.push_back({*store, {"OW", "update"}});
  return keys;
}
std::vector<KeyPosition> sort_ro_keys(std::span<const std::string_view>) {
  return {{1, {"RO", "access"}}};
}

void sort_generic(CommandContext& ctx, bool readonly) {
  SortOptions o;
  if (!parse_options(ctx, readonly, &o)) return;
  Db db = client_db(ctx);
  stm::Tx& tx = ctx.tx();

  Ref<Entry> e = db.find(ctx.arg(1));
  ObjType type = ObjType::kList;
  RawRef value;
  Encoding enc = Encoding::kQuicklist;
  if (e.is_null()) {
    ctx.miss();
  } else {
    ctx.hit();
    const Entry& ent = db.read(e);
    type = static_cast<ObjType>(ent.type);
    if (type != ObjType::kList && type != ObjType::kSet && type != ObjType::kZSet) {
      ctx.reply_wrong_type();
      return;
    }
    value = ent.value;
    enc = static_cast<Encoding>(ent.encoding);
  }
  bool alpha = o.alpha, dontsort = o.dontsort;
  std::optional<std::string_view> by = o.by;
  // An unsorted set would come out in hash order: STORE sorts it (as Redis does for STORE and
  // scripts) so that the stored result is deterministic.
  if (dontsort && type == ObjType::kSet && o.store) {
    dontsort = false;
    alpha = true;
    by.reset();
  }

  const ServerConfig& cfg = ctx.server.config();
  ZSetLimits zlim{cfg.zset_max_listpack_entries, cfg.zset_max_listpack_value};
  if (type == ObjType::kZSet && enc == Encoding::kListpack) {
    value = convert_zset_to_skiplist(tx, e, value, zlim);
    enc = Encoding::kSkiplist;
  }
  int64_t len = 0;
  if (!value.is_null()) {
    switch (type) {
      case ObjType::kList: len = list::length(tx, value); break;
      case ObjType::kSet: len = set_size(tx, value); break;
      default: len = int64_t(ZSet(tx, value, enc, zlim).size()); break;
    }
  }
  int64_t start = o.limit_start < 0 ? 0 : o.limit_start;
  int64_t end;
  if (o.limit_count < 0 || start > INT64_MAX - o.limit_count) {
    end = len - 1;
  } else {
    end = start + o.limit_count - 1;
  }
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  // Load the elements. Lists and sorted sets that are not sorted load just the range.
  std::vector<std::string> elems;
  bool ranged = (type == ObjType::kList || type == ObjType::kZSet) && dontsort;
  if (ranged) {
    if (end >= start && !value.is_null()) {
      int64_t n = end - start + 1;
      elems.reserve(size_t(n));
      if (type == ObjType::kList) {
        list::Pos p = list::seek(tx, value, o.desc ? len - start - 1 : start);
        while (p.valid() && int64_t(elems.size()) < n) {
          elems.emplace_back(str_view(tx, list::get(tx, p)));
          p = o.desc ? list::prev(tx, p) : list::next(tx, p);
        }
      } else {
        ZSet z(tx, value, enc, zlim);
        z.range_by_rank(uint64_t(start), uint64_t(end), o.desc,
                        [&](const ZElem& el) { elems.emplace_back(el.member); });
      }
    }
    end -= start;
    start = 0;
  } else if (!value.is_null()) {
    elems.reserve(size_t(len));
    if (type == ObjType::kList) {
      list::for_each(tx, value, [&](RawRef s) {
        elems.emplace_back(str_view(tx, s));
        return true;
      });
    } else if (type == ObjType::kSet) {
      elems = set_members(tx, value);
    } else {
      ZSet(tx, value, enc, zlim).for_each([&](const ZElem& el) { elems.emplace_back(el.member); });
    }
  }

  std::vector<Item> items(elems.size());
  for (size_t j = 0; j < items.size(); ++j) items[j].elem = j;
  bool conversion_error = false;
  if (!dontsort) {
    for (Item& it : items) {
      std::optional<std::string_view> byval;
      if (by) {
        byval = lookup_by_pattern(ctx, db, *by, elems[it.elem]);
        if (!byval) continue;
      } else {
        byval = elems[it.elem];
      }
      if (alpha) {
        if (by) it.cmp = byval;
      } else if (!sort_score(*byval, &it.score)) {
        conversion_error = true;
      }
    }
    bool store = o.store.has_value();
    bool desc = o.desc;
    auto compare = [&](const Item& a, const Item& b) {
      int c;
      if (!alpha) {
        c = a.score > b.score   ? 1
            : a.score < b.score ? -1
                                : binary_compare(elems[a.elem], elems[b.elem]);
      } else if (by) {
        if (!a.cmp || !b.cmp) {
          c = (a.cmp.has_value() == b.cmp.has_value()) ? 0 : !a.cmp ? -1 : 1;
        } else {
          c = store ? binary_compare(*a.cmp, *b.cmp) : collate_compare(*a.cmp, *b.cmp);
        }
      } else {
        c = store ? binary_compare(elems[a.elem], elems[b.elem])
                  : collate_compare(elems[a.elem], elems[b.elem]);
      }
      return desc ? c > 0 : c < 0;
    };
    std::stable_sort(items.begin(), items.end(), compare);
  }

  if (conversion_error) {
    ctx.out.add_error("ERR One or more scores can't be converted into double");
    return;
  }
  int64_t n = end - start + 1;
  int64_t outputlen = o.gets.empty() ? n : int64_t(o.gets.size()) * n;
  if (!o.store) {
    ctx.out.add_array_len(size_t(outputlen));
    for (int64_t j = start; j <= end; ++j) {
      std::string_view el = elems[items[size_t(j)].elem];
      if (o.gets.empty()) ctx.out.add_bulk(el);
      for (std::string_view pat : o.gets) {
        std::optional<std::string_view> v = lookup_by_pattern(ctx, db, pat, el);
        if (v) {
          ctx.out.add_bulk(*v);
        } else {
          ctx.out.add_null();
        }
      }
    }
    return;
  }
  // STORE: build the list first (the elements may live in the destination's old value).
  if (outputlen > 0) {
    uint32_t cap = list::node_capacity(cfg.list_max_listpack_size);
    RawRef l = list::create(tx);
    for (int64_t j = start; j <= end; ++j) {
      std::string_view el = elems[items[size_t(j)].elem];
      if (o.gets.empty()) list::push(tx, l, list::End::kRight, make_str(tx, el), cap);
      for (std::string_view pat : o.gets) {
        std::optional<std::string_view> v = lookup_by_pattern(ctx, db, pat, el);
        list::push(tx, l, list::End::kRight, make_str(tx, v ? *v : std::string_view()), cap);
      }
    }
    db.set(*o.store, ObjType::kList, l, Encoding::kQuicklist, kNoExpire);
  } else {
    db.remove(*o.store);
  }
  ctx.out.add_integer(outputlen);
}

void cmd_sort(CommandContext& ctx) { sort_generic(ctx, false); }
void cmd_sort_ro(CommandContext& ctx) { sort_generic(ctx, true); }

}  // namespace

void register_sort_family(CommandTable& t) {
  constexpr std::string_view kComplexity =
      "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
      "number of returned elements. When the elements are not sorted, complexity is O(N).";
  constexpr uint64_t kTypes = kAclSet | kAclSortedset | kAclList | kAclSlow | kAclDangerous;
  // clang-format off
  t.add({.name = "sort", .arity = -2,
         .flags = kCmdWrite | kCmdDenyOom | kCmdMovableKeys | kCmdTx,
         .first_key = 1, .last_key = 1, .key_step = 1, .acl = kAclWrite | kTypes,
         .handler = cmd_sort, .group = "generic", .since = "1.0.0",
         .summary = "Sort the elements in a list, set or sorted set",
         .complexity = kComplexity,
         .syntax = "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] "
                   "[ASC|DESC] [ALPHA] [STORE destination]",
         .get_keys = sort_keys});
  t.add({.name = "sort_ro", .arity = -2, .flags = kCmdReadonly | kCmdMovableKeys | kCmdTx,
         .first_key = 1, .last_key = 1, .key_step = 1, .acl = kAclRead | kTypes,
         .handler = cmd_sort_ro, .group = "generic", .since = "7.0.0",
         .summary = "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
         .complexity = kComplexity,
         .syntax = "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] "
                   "[ASC|DESC] [ALPHA]",
         .get_keys = sort_ro_keys});
  // clang-format on
}

}  // namespace stmkv
