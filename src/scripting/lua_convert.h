// scripting/lua_convert.h — conversions between Lua values and RESP replies, as Redis 7.0's
// script_lua.c does them (redis.call replies into Lua values, script results into replies).
//
// Every function here runs on the worker thread that owns the lua_State. None of them keeps a
// C++ object alive across a Lua call that may raise (they are safe to use from lua_CFunctions).
#pragma once

#include <string_view>

#include "protocol/reply_writer.h"

struct lua_State;

namespace stmkv::scripting {

// Pushes the Lua value of one complete RESP2/RESP3 reply (the first reply in `resp`):
// integer -> number; bulk -> string; null bulk / null array -> false; status -> {ok=...};
// error -> {err="CODE msg"}; array -> table; RESP3 map -> {map={...}}, set -> {set={k=true}},
// null -> nil, boolean -> boolean, double -> {double=n}, big number -> {big_number="..."},
// verbatim -> {verbatim_string={format=..., string=...}}; attributes are skipped.
void push_reply(lua_State* L, std::string_view resp);

// Pushes an error table {err="CODE msg"} built as Redis's luaPushErrorBuff: "-CODE msg" keeps
// its code, a text without a leading '-' gets the code ERR; trailing CR/LF are trimmed.
void push_error_table(lua_State* L, std::string_view text);

// Writes the Lua value at the top of the stack as a reply and pops it. `script_resp` is the
// level set by redis.setresp (booleans: RESP2 level -> 1 / null, RESP3 level -> boolean).
void write_lua_value(lua_State* L, protocol::ReplyWriter& out, int script_resp);

}  // namespace stmkv::scripting
