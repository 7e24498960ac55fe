// ds/collections.h — reading sets and hashes whatever their encoding (a compact pack, an intset
// or a ds/dict.h Dict: see ds/small_map.h), for the command families that read them (sets,
// hashes, SORT, the sorted-set algebra over plain sets).
//
// All functions run inside a transaction on a live value of the right type; string_views they
// return stay valid until the transaction ends.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stm/stm.h"

namespace stmkv {

// Sets: the number of members, membership, and every member in iteration order (ascending for
// an intset, insertion order for a pack, bucket order for a Dict).
int64_t set_size(stm::Tx& tx, stm::RawRef set);
bool set_contains(stm::Tx& tx, stm::RawRef set, std::string_view member);
std::vector<std::string> set_members(stm::Tx& tx, stm::RawRef set);

// Hashes: the value of field (false when absent) and the number of fields.
bool hash_get(stm::Tx& tx, stm::RawRef hash, std::string_view field, std::string_view* value);
int64_t hash_len(stm::Tx& tx, stm::RawRef hash);

}  // namespace stmkv
