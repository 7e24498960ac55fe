// ds/zset_skiplist.h — internal to ds/zset.cc: the heap layouts of the two zset encodings and
// the skiplist operations (Redis's t_zset.c zsl* functions over STM barriers) with the member
// index (a chained hash table through the nodes, resized incrementally as the keyspace's).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <random>
#include <string_view>

#include "ds/keyspace.h"
#include "ds/zset.h"

namespace stmkv::zset_internal {

using stm::RawRef;
using stm::Ref;
using stm::Tx;

constexpr uint32_t kKindListpack = 0x5a4c5031;  // "1PLZ"
constexpr uint32_t kKindSkiplist = 0x5a534c31;
constexpr int kMaxLevel = 32;  // Redis's ZSKIPLIST_MAXLEVEL
constexpr uint64_t kMinBuckets = 4;
constexpr int kMigrateStep = 4;  // old buckets moved per write during a resize

// --- listpack blob: [LpHeader][score:8][len:4][bytes]... (unaligned pairs) ---
struct LpHeader {
  uint32_t kind;
  uint32_t count;
  uint64_t bytes;  // payload bytes after the header
};

// --- skiplist root, one granule per group of fields written together ---
struct RootLen {  // granule 0: written by every insert / delete
  uint32_t kind;
  uint32_t pad;
  uint64_t length;
};
struct RootHead {  // granule 1: the header node and the current level (rarely written)
  RawRef head;
  uint64_t level;
};
struct RootTail {  // granule 2: written when the last element changes
  RawRef tail;
  uint64_t pad;
};
struct RootDict {  // granule 3: the member index tables (written when a resize starts/ends)
  RawRef table;
  RawRef old_table;
};
struct RootMigrate {  // granule 4: the resize cursor (writers only)
  uint64_t cursor;
  uint64_t pad;
};
constexpr size_t kRootSize = 80;

// --- skiplist node: 48 bytes of header granules, then one granule per level ---
struct NodeKey {  // granule 0
  double score;
  RawRef member;  // immutable string object
};
struct NodeLink {  // granule 1: member index chain
  RawRef dict_next;
  uint64_t hash;
};
struct NodeBack {  // granule 2
  RawRef backward;
  uint64_t levels;
};
struct Level {  // granule 3 + i
  RawRef forward;
  uint64_t span;
};
constexpr size_t kNodeHeader = 48;

inline size_t node_size(int levels) { return kNodeHeader + 16 * static_cast<size_t>(levels); }

inline int random_level() {
  static thread_local std::mt19937 rng(std::random_device{}());
  int level = 1;
  while ((rng() & 0xFFFF) < static_cast<uint32_t>(0.25 * 0xFFFF)) level += 1;
  return level < kMaxLevel ? level : kMaxLevel;
}

inline bool less_than(double s1, std::string_view m1, double s2, std::string_view m2) {
  return s1 < s2 || (s1 == s2 && m1 < m2);
}

inline double lp_normalize(double d) { return d == 0 ? 0.0 : d; }  // listpack stores -0 as 0

// Operations on one skiplist value within a transaction.
class Skiplist {
 public:
  Skiplist(Tx& tx, RawRef root) : tx_(tx), root_(root) {
    const RootHead* h = tx_.read(Ref<RootHead>(root.offset() + 16));
    head_ = h->head;
    level_ = static_cast<int>(h->level);
  }

  // Allocates an empty skiplist with its member index.
  static RawRef create(Tx& tx) {
    char* p;
    RawRef root = tx.alloc_raw(kRootSize, stm::Hint::kMutable, &p);
    std::memset(p, 0, kRootSize);
    char* hp;
    RawRef head = tx.alloc_raw(node_size(kMaxLevel), stm::Hint::kMutable, &hp);
    std::memset(hp, 0, node_size(kMaxLevel));
    reinterpret_cast<NodeBack*>(hp + 32)->levels = kMaxLevel;
    auto* rl = reinterpret_cast<RootLen*>(p);
    rl->kind = kKindSkiplist;
    auto* rh = reinterpret_cast<RootHead*>(p + 16);
    rh->head = head;
    rh->level = 1;
    reinterpret_cast<RootDict*>(p + 48)->table = new_table(tx, kMinBuckets);
    return root;
  }

  uint64_t length() { return tx_.read(Ref<RootLen>(root_.offset()))->length; }
  RawRef head() const { return head_; }
  RawRef tail() { return tx_.read(Ref<RootTail>(root_.offset() + 32))->tail; }

  static Ref<NodeKey> key_ref(RawRef n) { return Ref<NodeKey>(n.offset()); }
  static Ref<Level> lvl_ref(RawRef n, int i) {
    return Ref<Level>(n.offset() + kNodeHeader + 16 * i);
  }
  double score(RawRef n) { return tx_.read(key_ref(n))->score; }
  std::string_view member(RawRef n) { return str_view(tx_, tx_.read(key_ref(n))->member); }
  ZElem elem(RawRef n) {
    const NodeKey* k = tx_.read(key_ref(n));
    return ZElem{str_view(tx_, k->member), k->score};
  }
  RawRef fwd(RawRef n, int i) { return tx_.read(lvl_ref(n, i))->forward; }
  uint64_t span(RawRef n, int i) { return tx_.read(lvl_ref(n, i))->span; }
  RawRef backward(RawRef n) { return tx_.read(Ref<NodeBack>(n.offset() + 32))->backward; }
  int levels(RawRef n) {
    return static_cast<int>(tx_.read(Ref<NodeBack>(n.offset() + 32))->levels);
  }
  Level* wlvl(RawRef n, int i) { return tx_.write(lvl_ref(n, i)); }
  void set_backward(RawRef n, RawRef b) { tx_.write(Ref<NodeBack>(n.offset() + 32))->backward = b; }

  // A new node (not linked) holding a copy of member.
  RawRef new_node(double score, std::string_view member, uint64_t hash, int levels) {
    char* p;
    RawRef n = tx_.alloc_raw(node_size(levels), stm::Hint::kMutable, &p);
    std::memset(p, 0, node_size(levels));
    auto* k = reinterpret_cast<NodeKey*>(p);
    k->score = score;
    k->member = make_str(tx_, member);
    reinterpret_cast<NodeLink*>(p + 16)->hash = hash;
    reinterpret_cast<NodeBack*>(p + 32)->levels = static_cast<uint64_t>(levels);
    return n;
  }

  // Inserts an unlinked node (its key already set) at its place. Redis's zslInsert.
  void insert_node(RawRef x) {
    RawRef update[kMaxLevel];
    uint64_t rank[kMaxLevel];
    const NodeKey* k = tx_.read(key_ref(x));
    double sc = k->score;
    std::string_view ele = str_view(tx_, k->member);
    RawRef cur = head_;
    for (int i = level_ - 1; i >= 0; --i) {
      rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
      for (;;) {
        const Level* l = tx_.read(lvl_ref(cur, i));
        if (l->forward.is_null()) break;
        ZElem f = elem(l->forward);
        if (!less_than(f.score, f.member, sc, ele)) break;
        rank[i] += l->span;
        cur = l->forward;
      }
      update[i] = cur;
    }
    int lvl = levels(x);
    if (lvl > level_) {
      uint64_t len = length();
      for (int i = level_; i < lvl; ++i) {
        rank[i] = 0;
        update[i] = head_;
        wlvl(head_, i)->span = len;
      }
      level_ = lvl;
      tx_.write(Ref<RootHead>(root_.offset() + 16))->level = static_cast<uint64_t>(lvl);
    }
    for (int i = 0; i < lvl; ++i) {
      Level* u = wlvl(update[i], i);
      Level* n = wlvl(x, i);
      n->forward = u->forward;
      u->forward = x;
      n->span = u->span - (rank[0] - rank[i]);
      u->span = (rank[0] - rank[i]) + 1;
    }
    for (int i = lvl; i < level_; ++i) wlvl(update[i], i)->span++;
    set_backward(x, update[0] == head_ ? RawRef() : update[0]);
    RawRef next = fwd(x, 0);
    if (!next.is_null()) {
      set_backward(next, x);
    } else {
      tx_.write(Ref<RootTail>(root_.offset() + 32))->tail = x;
    }
    tx_.write(Ref<RootLen>(root_.offset()))->length++;
  }

  // Fills update[] with the last node before (score, member) at every level.
  void find_update(double sc, std::string_view ele, RawRef* update) {
    RawRef cur = head_;
    for (int i = level_ - 1; i >= 0; --i) {
      for (;;) {
        RawRef f = fwd(cur, i);
        if (f.is_null()) break;
        ZElem e = elem(f);
        if (!less_than(e.score, e.member, sc, ele)) break;
        cur = f;
      }
      update[i] = cur;
    }
  }

  // Unlinks x (Redis's zslDeleteNode); the node is not freed.
  void delete_node(RawRef x, RawRef* update) {
    for (int i = 0; i < level_; ++i) {
      const Level* u = tx_.read(lvl_ref(update[i], i));
      if (u->forward == x) {
        const Level* xl = tx_.read(lvl_ref(x, i));
        Level nl{xl->forward, u->span + xl->span - 1};
        *wlvl(update[i], i) = nl;
      } else {
        wlvl(update[i], i)->span = u->span - 1;
      }
    }
    RawRef next = fwd(x, 0);
    RawRef back = backward(x);
    if (!next.is_null()) {
      set_backward(next, back);
    } else {
      tx_.write(Ref<RootTail>(root_.offset() + 32))->tail = back;
    }
    int old_level = level_;
    while (level_ > 1 && fwd(head_, level_ - 1).is_null()) --level_;
    if (level_ != old_level) {
      tx_.write(Ref<RootHead>(root_.offset() + 16))->level = static_cast<uint64_t>(level_);
    }
    tx_.write(Ref<RootLen>(root_.offset()))->length--;
  }

  // Unlinks and frees node x (and its member), removing it from the index.
  void erase(RawRef x, RawRef* update) {
    delete_node(x, update);
    dict_remove(x);
    free_node(x);
  }
  void free_node(RawRef x) {
    tx_.free(tx_.read(key_ref(x))->member);
    tx_.free(x);
  }

  // Moves node x to newscore (Redis's zslUpdateScore); x stays the same object.
  void update_score(RawRef x, double newscore) {
    RawRef update[kMaxLevel];
    ZElem e = elem(x);
    find_update(e.score, e.member, update);
    RawRef back = backward(x);
    RawRef next = fwd(x, 0);
    if ((back.is_null() || score(back) < newscore) && (next.is_null() || score(next) > newscore)) {
      tx_.write(key_ref(x))->score = newscore;
      return;
    }
    delete_node(x, update);
    tx_.write(key_ref(x))->score = newscore;
    insert_node(x);
  }

  // 1-based rank of (score, member), 0 when absent (Redis's zslGetRank).
  uint64_t get_rank(double sc, std::string_view ele) {
    uint64_t rank = 0;
    RawRef cur = head_;
    for (int i = level_ - 1; i >= 0; --i) {
      for (;;) {
        const Level* l = tx_.read(lvl_ref(cur, i));
        if (l->forward.is_null()) break;
        ZElem f = elem(l->forward);
        if (!(f.score < sc || (f.score == sc && f.member <= ele))) break;
        rank += l->span;
        cur = l->forward;
      }
      if (cur != head_ && member(cur) == ele) return rank;
    }
    return 0;
  }

  // The node of 1-based rank, or null.
  RawRef by_rank(uint64_t rank) {
    uint64_t traversed = 0;
    RawRef cur = head_;
    for (int i = level_ - 1; i >= 0; --i) {
      for (;;) {
        const Level* l = tx_.read(lvl_ref(cur, i));
        if (l->forward.is_null() || traversed + l->span > rank) break;
        traversed += l->span;
        cur = l->forward;
      }
      if (traversed == rank) return cur;
    }
    return RawRef();
  }

  // First / last node in a score range, or null.
  RawRef first_in(const ScoreRange& r) {
    if (r.min > r.max || (r.min == r.max && (r.minex || r.maxex))) return RawRef();
    RawRef cur = head_;
    for (int i = level_ - 1; i >= 0; --i) {
      for (RawRef f; !(f = fwd(cur, i)).is_null() && !r.value_gte_min(score(f));) cur = f;
    }
    RawRef x = fwd(cur, 0);
    if (x.is_null() || !r.value_lte_max(score(x))) return RawRef();
    return x;
  }
  RawRef last_in(const ScoreRange& r) {
    if (r.min > r.max || (r.min == r.max && (r.minex || r.maxex))) return RawRef();
    RawRef cur = head_;
    for (int i = level_ - 1; i >= 0; --i) {
      for (RawRef f; !(f = fwd(cur, i)).is_null() && r.value_lte_max(score(f));) cur = f;
    }
    if (cur == head_ || !r.value_gte_min(score(cur))) return RawRef();
    return cur;
  }
  // Redis's zslIsInLexRange: a valid range that may overlap [first, last].
  bool in_lex_range(const LexRange& r) {
    if (r.empty()) return false;
    RawRef t = tail();
    RawRef f = fwd(head_, 0);
    return !t.is_null() && r.value_gte_min(member(t)) && r.value_lte_max(member(f));
  }
  RawRef first_in(const LexRange& r) {
    if (!in_lex_range(r)) return RawRef();
    RawRef cur = head_;
    for (int i = level_ - 1; i >= 0; --i) {
      for (RawRef f; !(f = fwd(cur, i)).is_null() && !r.value_gte_min(member(f));) cur = f;
    }
    RawRef x = fwd(cur, 0);
    if (x.is_null() || !r.value_lte_max(member(x))) return RawRef();
    return x;
  }
  RawRef last_in(const LexRange& r) {
    if (!in_lex_range(r)) return RawRef();
    RawRef cur = head_;
    for (int i = level_ - 1; i >= 0; --i) {
      for (RawRef f; !(f = fwd(cur, i)).is_null() && r.value_lte_max(member(f));) cur = f;
    }
    if (cur == head_ || !r.value_gte_min(member(cur))) return RawRef();
    return cur;
  }

  // --- member index: chained hash table, resized incrementally ---
  static RawRef new_table(Tx& tx, uint64_t n) {
    char* p;
    size_t bytes = sizeof(TableHeader) + n * sizeof(Bucket);
    RawRef t = tx.alloc_raw(bytes, stm::Hint::kMutable, &p);
    std::memset(p, 0, bytes);
    reinterpret_cast<TableHeader*>(p)->nbuckets = n;
    return t;
  }
  Ref<Bucket> bucket(RawRef table, uint64_t hash) {
    uint64_t n = tx_.read(Ref<TableHeader>(table.offset()))->nbuckets;
    return Ref<Bucket>(table.offset() + sizeof(TableHeader) + (hash & (n - 1)) * sizeof(Bucket));
  }
  RootDict dict() { return *tx_.read(Ref<RootDict>(root_.offset() + 48)); }

  RawRef chain_find(RawRef n, std::string_view ele, uint64_t hash) {
    while (!n.is_null()) {
      const NodeLink* l = tx_.read(Ref<NodeLink>(n.offset() + 16));
      if (l->hash == hash && member(n) == ele) return n;
      n = l->dict_next;
    }
    return RawRef();
  }

  RawRef lookup(std::string_view ele, uint64_t hash) {
    RootDict d = dict();
    if (!d.old_table.is_null()) {
      const Bucket* b = tx_.read(bucket(d.old_table, hash));
      if (!b->moved) {
        RawRef n = chain_find(b->head, ele, hash);
        if (!n.is_null()) return n;
      }
    }
    return chain_find(tx_.read(bucket(d.table, hash))->head, ele, hash);
  }

  // Adds node x (absent from the index) to the new table.
  void dict_add(RawRef x) {
    migrate(kMigrateStep);
    uint64_t hash = tx_.read(Ref<NodeLink>(x.offset() + 16))->hash;
    RootDict d = dict();
    Ref<Bucket> b = bucket(d.table, hash);
    RawRef head = tx_.read(b)->head;
    tx_.write(Ref<NodeLink>(x.offset() + 16))->dict_next = head;
    tx_.write(b)->head = x;
    maybe_resize();
  }

  void dict_remove(RawRef x) {
    migrate(kMigrateStep);
    const NodeLink* xl = tx_.read(Ref<NodeLink>(x.offset() + 16));
    uint64_t hash = xl->hash;
    RawRef next = xl->dict_next;
    RootDict d = dict();
    for (RawRef table : {d.old_table, d.table}) {
      if (table.is_null()) continue;
      Ref<Bucket> b = bucket(table, hash);
      const Bucket* bv = tx_.read(b);
      if (table == d.old_table && bv->moved) continue;
      if (bv->head == x) {
        tx_.write(b)->head = next;
        maybe_resize();
        return;
      }
      for (RawRef n = bv->head; !n.is_null();) {
        Ref<NodeLink> link(n.offset() + 16);
        RawRef nn = tx_.read(link)->dict_next;
        if (nn == x) {
          tx_.write(link)->dict_next = next;
          maybe_resize();
          return;
        }
        n = nn;
      }
    }
  }

  // Moves up to `steps` buckets of the old table into the new one.
  void migrate(int steps) {
    RootDict d = dict();
    if (d.old_table.is_null()) return;
    Ref<RootMigrate> mref(root_.offset() + 64);
    uint64_t cursor = tx_.read(mref)->cursor;
    uint64_t n_old = tx_.read(Ref<TableHeader>(d.old_table.offset()))->nbuckets;
    for (int s = 0; s < steps && cursor < n_old; ++s, ++cursor) {
      Ref<Bucket> ob(d.old_table.offset() + sizeof(TableHeader) + cursor * sizeof(Bucket));
      RawRef n = tx_.read(ob)->head;
      while (!n.is_null()) {
        Ref<NodeLink> link(n.offset() + 16);
        const NodeLink* l = tx_.read(link);
        RawRef next = l->dict_next;
        Ref<Bucket> nb = bucket(d.table, l->hash);
        RawRef head = tx_.read(nb)->head;
        tx_.write(link)->dict_next = head;
        tx_.write(nb)->head = n;
        n = next;
      }
      *tx_.write(ob) = Bucket{RawRef(), 1};
    }
    if (cursor >= n_old) {
      tx_.free(d.old_table);
      tx_.write(Ref<RootDict>(root_.offset() + 48))->old_table = RawRef();
      tx_.write(mref)->cursor = 0;
    } else {
      tx_.write(mref)->cursor = cursor;
    }
  }

  // Starts a resize when the table is too small (load > 1) or too big (load < 1/8).
  void maybe_resize() {
    RootDict d = dict();
    if (!d.old_table.is_null()) return;
    uint64_t n = tx_.read(Ref<TableHeader>(d.table.offset()))->nbuckets;
    uint64_t len = length();
    uint64_t target = n;
    if (len > n) {
      target = n * 2;
    } else if (n > kMinBuckets && len * 8 < n) {
      target = std::max<uint64_t>(kMinBuckets, std::bit_ceil(std::max<uint64_t>(len, 1)));
    }
    if (target == n) return;
    RawRef t = new_table(tx_, target);
    *tx_.write(Ref<RootDict>(root_.offset() + 48)) = RootDict{t, d.table};
    tx_.write(Ref<RootMigrate>(root_.offset() + 64))->cursor = 0;
  }

  // One step of Redis's dictScan over both tables (smaller first); returns the next cursor.
  uint64_t scan_step(uint64_t v, const ZVisit& fn, size_t* visited) {
    RootDict d = dict();
    auto visit = [&](RawRef table, uint64_t idx) {
      Ref<Bucket> b(table.offset() + sizeof(TableHeader) + idx * sizeof(Bucket));
      for (RawRef n = tx_.read(b)->head; !n.is_null();
           n = tx_.read(Ref<NodeLink>(n.offset() + 16))->dict_next) {
        fn(elem(n));
        ++*visited;
      }
    };
    auto nb = [&](RawRef t) { return tx_.read(Ref<TableHeader>(t.offset()))->nbuckets; };
    auto rev = [](uint64_t x) {
      x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
      x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
      x = ((x >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((x & 0x0F0F0F0F0F0F0F0Full) << 4);
      return __builtin_bswap64(x);
    };
    if (d.old_table.is_null()) {
      uint64_t m0 = nb(d.table) - 1;
      visit(d.table, v & m0);
      v |= ~m0;
      return rev(rev(v) + 1);
    }
    RawRef t0 = d.old_table, t1 = d.table;
    if (nb(t0) > nb(t1)) std::swap(t0, t1);
    uint64_t m0 = nb(t0) - 1, m1 = nb(t1) - 1;
    visit(t0, v & m0);
    do {
      visit(t1, v & m1);
      v |= ~m1;
      v = rev(rev(v) + 1);
    } while (v & (m0 ^ m1));
    return v;
  }

  // Frees the whole structure.
  void destroy() {
    RawRef n = fwd(head_, 0);
    while (!n.is_null()) {
      RawRef next = fwd(n, 0);
      free_node(n);
      n = next;
    }
    RootDict d = dict();
    if (!d.old_table.is_null()) tx_.free(d.old_table);
    tx_.free(d.table);
    tx_.free(head_);
    tx_.free(root_);
  }

  // Inserts a new element (absent).
  void insert(double sc, std::string_view ele) {
    RawRef x = new_node(sc, ele, key_hash(ele), random_level());
    insert_node(x);
    dict_add(x);
  }

 private:
  Tx& tx_;
  RawRef root_;
  RawRef head_;
  int level_;
};

}  // namespace stmkv::zset_internal
