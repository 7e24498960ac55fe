#include "ds/list.h"

#include <algorithm>
#include <cstring>

#include "ds/objects.h"

namespace stmkv::list {

namespace {

using stm::RawRef;
using stm::Ref;

constexpr uint32_t kInitialCap = 8;

struct NodeL {
  RawRef prev;
  uint32_t begin;
  uint32_t pad;
};
struct NodeR {
  RawRef next;
  uint32_t end;
  uint32_t cap;
};
struct HeaderL {
  RawRef head;
  int64_t left;
};
struct HeaderR {
  RawRef tail;
  int64_t right;
};

Ref<NodeL> nl(RawRef n) { return Ref<NodeL>(n.offset()); }
Ref<NodeR> nr(RawRef n) { return Ref<NodeR>(n.offset() + 16); }
Ref<RawRef> slot(RawRef n, uint32_t i) { return Ref<RawRef>(n.offset() + sizeof(Node) + 8 * i); }
Ref<HeaderL> hl(RawRef l) { return Ref<HeaderL>(l.offset()); }
Ref<HeaderR> hr(RawRef l) { return Ref<HeaderR>(l.offset() + 16); }
Ref<uint64_t> left_writes(RawRef l) { return Ref<uint64_t>(l.offset() + 32); }
Ref<uint64_t> right_writes(RawRef l) { return Ref<uint64_t>(l.offset() + 48); }

// Changes the element count of one end, counting the write in that end's stamp.
void add_left(stm::Tx& tx, RawRef list, int64_t delta) {
  tx.write(hl(list))->left += delta;
  *tx.write(left_writes(list)) += 1;
}
void add_right(stm::Tx& tx, RawRef list, int64_t delta) {
  tx.write(hr(list))->right += delta;
  *tx.write(right_writes(list)) += 1;
}

// A new node of cap slots holding nothing yet: begin = end = at.
Ref<Node> new_node(stm::Tx& tx, uint32_t cap, uint32_t at, RawRef prev, RawRef next) {
  char* p;
  Ref<Node> n(tx.alloc_raw(sizeof(Node) + size_t{8} * cap, stm::Hint::kMutable, &p));
  Node h{};
  h.prev = prev;
  h.begin = at;
  h.next = next;
  h.end = at;
  h.cap = cap;
  std::memcpy(p, &h, sizeof h);
  return n;
}

size_t str_bytes(size_t len) { return (sizeof(StrHeader) + len + 15) & ~size_t{15}; }

// Replaces node by a copy with newcap slots whose elements start at `begin`, relinking its
// neighbours (and the header); frees the old node. Returns the new node.
Ref<Node> replace_node(stm::Tx& tx, RawRef list, Ref<Node> node, uint32_t newcap,
                       uint32_t begin) {
  Node old = *tx.read(node);
  uint32_t n = old.end - old.begin;
  Ref<Node> nn = new_node(tx, newcap, begin, old.prev, old.next);
  if (n > 0) {
    const RawRef* src = reinterpret_cast<const RawRef*>(
        tx.read_bytes(node, sizeof(Node) + size_t{8} * old.begin, size_t{8} * n));
    char* dst = tx.write_bytes(nn, sizeof(Node) + size_t{8} * begin, size_t{8} * n);
    std::memcpy(dst, src, size_t{8} * n);
  }
  tx.write(nr(nn))->end = begin + n;
  if (old.prev.is_null()) {
    tx.write(hl(list))->head = nn;
  } else {
    tx.write(nr(old.prev))->next = nn;
  }
  if (old.next.is_null()) {
    tx.write(hr(list))->tail = nn;
  } else {
    tx.write(nl(old.next))->prev = nn;
  }
  tx.free(node);
  return nn;
}

// Unlinks an (empty) node from a list with other nodes and frees it.
void unlink_node(stm::Tx& tx, RawRef list, Ref<Node> node) {
  RawRef prev = tx.read(nl(node))->prev;
  RawRef next = tx.read(nr(node))->next;
  if (prev.is_null()) {
    tx.write(hl(list))->head = next;
  } else {
    tx.write(nr(prev))->next = next;
  }
  if (next.is_null()) {
    tx.write(hr(list))->tail = prev;
  } else {
    tx.write(nl(next))->prev = prev;
  }
  tx.free(node);
}

// Where the elements of a reshaped node start: room on both sides, biased to `end`.
uint32_t centered(uint32_t cap, uint32_t n, End end) {
  return end == End::kLeft ? (cap - n + 1) / 2 : (cap - n) / 2;
}

// Makes room at one end of the list's end node: reshapes a sole node (recentre or grow) or
// links a new node. Returns the node to push into.
Ref<Node> make_room(stm::Tx& tx, RawRef list, Ref<Node> node, End end, uint32_t cap) {
  NodeL l = *tx.read(nl(node));
  NodeR r = *tx.read(nr(node));
  uint32_t n = r.end - l.begin;
  if (l.prev.is_null() && r.next.is_null() && (n < r.cap || r.cap < cap)) {
    uint32_t newcap = n < r.cap ? r.cap : std::min(std::max(r.cap * 2, r.cap + 1), cap);
    return replace_node(tx, list, node, newcap, centered(newcap, n, end));
  }
  if (end == End::kLeft) {
    Ref<Node> nn = new_node(tx, cap, cap, RawRef(), node);
    tx.write(nl(node))->prev = nn;
    tx.write(hl(list))->head = nn;
    return nn;
  }
  Ref<Node> nn = new_node(tx, cap, 0, node, RawRef());
  tx.write(nr(node))->next = nn;
  tx.write(hr(list))->tail = nn;
  return nn;
}

}  // namespace

uint32_t node_capacity(int64_t size) {
  if (size > 0) return static_cast<uint32_t>(std::min<int64_t>(size, 1 << 16));
  int64_t level = std::clamp<int64_t>(-size, 1, 5);
  return uint32_t{32} << level;   // -1: 64 ... -2: 128 ... -5: 1024
}

RawRef create(stm::Tx& tx) { return tx.make<Header>(stm::Hint::kMutable); }

int64_t length(stm::Tx& tx, RawRef list) {
  return tx.read(hl(list))->left + tx.read(hr(list))->right;
}

void push(stm::Tx& tx, RawRef list, End end, RawRef elem, uint32_t cap) {
  cap = std::max<uint32_t>(cap, 1);
  if (end == End::kLeft) {
    HeaderL h = *tx.read(hl(list));
    Ref<Node> node(h.head);
    if (node.is_null()) {
      uint32_t c = std::min(kInitialCap, cap);
      node = new_node(tx, c, c, RawRef(), RawRef());
      tx.write(hl(list))->head = node;
      tx.write(hr(list))->tail = node;
    } else if (tx.read(nl(node))->begin == 0) {
      node = make_room(tx, list, node, end, cap);
    }
    NodeL* w = tx.write(nl(node));
    *tx.write(slot(node, --w->begin)) = elem;
    add_left(tx, list, 1);
    return;
  }
  HeaderR h = *tx.read(hr(list));
  Ref<Node> node(h.tail);
  if (node.is_null()) {
    uint32_t c = std::min(kInitialCap, cap);
    node = new_node(tx, c, 0, RawRef(), RawRef());
    tx.write(hl(list))->head = node;
    tx.write(hr(list))->tail = node;
  } else {
    NodeR r = *tx.read(nr(node));
    if (r.end == r.cap) node = make_room(tx, list, node, end, cap);
  }
  NodeR* w = tx.write(nr(node));
  *tx.write(slot(node, w->end++)) = elem;
  add_right(tx, list, 1);
}

RawRef pop(stm::Tx& tx, RawRef list, End end, bool* emptied) {
  *emptied = false;
  if (end == End::kLeft) {
    Ref<Node> node(tx.read(hl(list))->head);
    NodeL l = *tx.read(nl(node));
    NodeR r = *tx.read(nr(node));
    RawRef elem = *tx.read(slot(node, l.begin));
    tx.write(nl(node))->begin = l.begin + 1;
    add_left(tx, list, -1);
    if (l.begin + 1 == r.end) {
      if (r.next.is_null()) {
        *emptied = true;
      } else {
        unlink_node(tx, list, node);
      }
    }
    return elem;
  }
  Ref<Node> node(tx.read(hr(list))->tail);
  NodeR r = *tx.read(nr(node));
  NodeL l = *tx.read(nl(node));
  RawRef elem = *tx.read(slot(node, r.end - 1));
  tx.write(nr(node))->end = r.end - 1;
  add_right(tx, list, -1);
  if (r.end - 1 == l.begin) {
    if (l.prev.is_null()) {
      *emptied = true;
    } else {
      unlink_node(tx, list, node);
    }
  }
  return elem;
}

Pos seek(stm::Tx& tx, RawRef list, int64_t index) {
  int64_t len = length(tx, list);
  if (index < 0) index += len;
  if (index < 0 || index >= len) return Pos{};
  if (index < len / 2) {
    for (Ref<Node> node(tx.read(hl(list))->head); !node.is_null();) {
      NodeL l = *tx.read(nl(node));
      NodeR r = *tx.read(nr(node));
      int64_t n = r.end - l.begin;
      if (index < n) return Pos{node, static_cast<uint32_t>(l.begin + index)};
      index -= n;
      node = Ref<Node>(r.next);
    }
    return Pos{};
  }
  int64_t ri = len - 1 - index;
  for (Ref<Node> node(tx.read(hr(list))->tail); !node.is_null();) {
    NodeL l = *tx.read(nl(node));
    NodeR r = *tx.read(nr(node));
    int64_t n = r.end - l.begin;
    if (ri < n) return Pos{node, static_cast<uint32_t>(r.end - 1 - ri)};
    ri -= n;
    node = Ref<Node>(l.prev);
  }
  return Pos{};
}

Pos next(stm::Tx& tx, Pos p) {
  NodeR r = *tx.read(nr(p.node));
  if (p.idx + 1 < r.end) return Pos{p.node, p.idx + 1};
  for (Ref<Node> node(r.next); !node.is_null();) {
    NodeL l = *tx.read(nl(node));
    NodeR nr2 = *tx.read(nr(node));
    if (l.begin < nr2.end) return Pos{node, l.begin};
    node = Ref<Node>(nr2.next);
  }
  return Pos{};
}

Pos prev(stm::Tx& tx, Pos p) {
  NodeL l = *tx.read(nl(p.node));
  if (p.idx > l.begin) return Pos{p.node, p.idx - 1};
  for (Ref<Node> node(l.prev); !node.is_null();) {
    NodeL l2 = *tx.read(nl(node));
    NodeR r = *tx.read(nr(node));
    if (l2.begin < r.end) return Pos{node, r.end - 1};
    node = Ref<Node>(l2.prev);
  }
  return Pos{};
}

RawRef get(stm::Tx& tx, Pos p) { return *tx.read(slot(p.node, p.idx)); }

RawRef replace(stm::Tx& tx, Pos p, RawRef elem) {
  RawRef* s = tx.write(slot(p.node, p.idx));
  RawRef old = *s;
  *s = elem;
  return old;
}

void insert(stm::Tx& tx, RawRef list, Pos p, bool after, RawRef elem, uint32_t cap) {
  cap = std::max<uint32_t>(cap, 1);
  Ref<Node> node = p.node;
  uint32_t t = after ? p.idx + 1 : p.idx;   // the new element goes before slot t
  NodeL l = *tx.read(nl(node));
  NodeR r = *tx.read(nr(node));
  if (l.begin == 0 && r.end == r.cap) {
    uint32_t n = r.end - l.begin;
    if (r.cap < cap) {   // grow a small node
      uint32_t newcap = std::min(std::max(r.cap * 2, r.cap + 1), cap);
      uint32_t b = centered(newcap, n, End::kLeft);
      node = replace_node(tx, list, node, newcap, b);
      t += b - l.begin;
    } else {             // split: the upper half moves to a new node after this one
      uint32_t mid = l.begin + n / 2, moved = r.end - mid;
      Ref<Node> nn = new_node(tx, std::max(cap, moved + 1), 0, node, r.next);
      const RawRef* src = reinterpret_cast<const RawRef*>(
          tx.read_bytes(node, sizeof(Node) + size_t{8} * mid, size_t{8} * moved));
      std::memcpy(tx.write_bytes(nn, sizeof(Node), size_t{8} * moved), src, size_t{8} * moved);
      tx.write(nr(nn))->end = moved;
      if (r.next.is_null()) {
        tx.write(hr(list))->tail = nn;
      } else {
        tx.write(nl(r.next))->prev = nn;
      }
      NodeR* w = tx.write(nr(node));
      w->next = nn;
      w->end = mid;
      if (t > mid) {
        node = nn;
        t -= mid;
      }
    }
    l = *tx.read(nl(node));
    r = *tx.read(nr(node));
  }
  if (l.begin > 0 && (t - l.begin <= r.end - t || r.end == r.cap)) {
    uint32_t k = t - l.begin;
    if (k > 0) {
      char* s = tx.write_bytes(node, sizeof(Node) + size_t{8} * (l.begin - 1), size_t{8} * (k + 1));
      std::memmove(s, s + 8, size_t{8} * k);
    }
    *tx.write(slot(node, t - 1)) = elem;
    tx.write(nl(node))->begin = l.begin - 1;
    add_left(tx, list, 1);
  } else {
    uint32_t k = r.end - t;
    if (k > 0) {
      char* s = tx.write_bytes(node, sizeof(Node) + size_t{8} * t, size_t{8} * (k + 1));
      std::memmove(s + 8, s, size_t{8} * k);
    }
    *tx.write(slot(node, t)) = elem;
    tx.write(nr(node))->end = r.end + 1;
    add_right(tx, list, 1);
  }
}

void erase(stm::Tx& tx, RawRef list, std::vector<Pos> positions, bool* emptied) {
  *emptied = false;
  std::sort(positions.begin(), positions.end(), [](const Pos& a, const Pos& b) {
    return a.node.offset() != b.node.offset() ? a.node.offset() < b.node.offset() : a.idx < b.idx;
  });
  int64_t removed = 0;
  for (size_t i = 0; i < positions.size();) {
    Ref<Node> node = positions[i].node;
    size_t j = i;
    while (j < positions.size() && positions[j].node == node) ++j;
    NodeL l = *tx.read(nl(node));
    NodeR r = *tx.read(nr(node));
    uint32_t n = r.end - l.begin;
    RawRef* s = reinterpret_cast<RawRef*>(
        tx.write_bytes(node, sizeof(Node) + size_t{8} * l.begin, size_t{8} * std::max(n, 1u)));
    uint32_t out = 0;
    size_t k = i;
    for (uint32_t x = 0; x < n; ++x) {
      if (k < j && positions[k].idx == l.begin + x) {
        tx.free(s[x]);
        ++k;
        continue;
      }
      s[out++] = s[x];
    }
    removed += n - out;
    tx.write(nr(node))->end = l.begin + out;
    if (out == 0) {
      RawRef prev = tx.read(nl(node))->prev;
      RawRef nxt = tx.read(nr(node))->next;
      if (prev.is_null() && nxt.is_null()) {
        *emptied = true;
      } else {
        unlink_node(tx, list, node);
      }
    }
    i = j;
  }
  if (removed != 0) add_right(tx, list, -removed);
}

void for_each(stm::Tx& tx, RawRef list, const std::function<bool(RawRef)>& fn) {
  for (Ref<Node> node(tx.read(hl(list))->head); !node.is_null();) {
    NodeL l = *tx.read(nl(node));
    NodeR r = *tx.read(nr(node));
    if (r.end > l.begin) {
      const RawRef* s = reinterpret_cast<const RawRef*>(
          tx.read_bytes(node, sizeof(Node) + size_t{8} * l.begin, size_t{8} * (r.end - l.begin)));
      for (uint32_t i = 0; i < r.end - l.begin; ++i) {
        if (!fn(s[i])) return;
      }
    }
    node = Ref<Node>(r.next);
  }
}

void destroy(stm::Tx& tx, RawRef list) {
  for (Ref<Node> node(tx.read(hl(list))->head); !node.is_null();) {
    Node h = *tx.read(node);
    for (uint32_t i = h.begin; i < h.end; ++i) tx.free(*tx.read(slot(node, i)));
    tx.free(node);
    node = Ref<Node>(h.next);
  }
  tx.free(list);
}

RawRef copy(stm::Tx& tx, RawRef list) {
  RawRef nl_ = create(tx);
  Header* h = tx.write(Ref<Header>(nl_));
  h->right = length(tx, list);
  RawRef last;
  for (Ref<Node> node(tx.read(hl(list))->head); !node.is_null();) {
    Node src = *tx.read(node);
    Ref<Node> nn = new_node(tx, src.cap, src.begin, last, RawRef());
    for (uint32_t i = src.begin; i < src.end; ++i) {
      *tx.write(slot(nn, i)) = make_str(tx, str_view(tx, *tx.read(slot(node, i))));
    }
    tx.write(nr(nn))->end = src.end;
    if (last.is_null()) {
      h->head = nn;
    } else {
      tx.write(nr(last))->next = nn;
    }
    last = nn;
    node = Ref<Node>(src.next);
  }
  h->tail = last;
  return nl_;
}

uint64_t stamp(stm::Tx& tx, RawRef list) {
  return *tx.read(left_writes(list)) + *tx.read(right_writes(list));
}

size_t memory_usage(stm::Tx& tx, RawRef list) {
  size_t total = sizeof(Header);
  for (Ref<Node> node(tx.read(hl(list))->head); !node.is_null();) {
    Node h = *tx.read(node);
    total += sizeof(Node) + size_t{8} * h.cap;
    for (uint32_t i = h.begin; i < h.end; ++i) {
      total += str_bytes(str_view(tx, *tx.read(slot(node, i))).size());
    }
    node = Ref<Node>(h.next);
  }
  return total;
}

}  // namespace stmkv::list
