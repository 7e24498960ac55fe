// scripting/families.h — helpers shared by the scripting command families (eval_family.cc:
// EVAL*, SCRIPT; function_family.cc: FCALL*, FUNCTION).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string_view>

#include "server/command_table.h"

namespace stmkv::scripting {

// Parses EVAL/FCALL's numkeys (argv[2]); replies Redis's error and returns false when invalid.
bool parse_numkeys(CommandContext& ctx, size_t* nkeys);
// Runs after the script's transaction commits: records it in SCRIPT TIMELINE.
void record_on_commit(CommandContext& ctx, int64_t start_us, std::string_view name);
// SCRIPT KILL / FUNCTION KILL.
void kill_scripts(CommandContext& ctx, bool functions);
void reply_help(CommandContext& ctx, std::initializer_list<std::string_view> lines);

void register_function_commands(CommandTable& t);

}  // namespace stmkv::scripting
