// commands/keys_family.cc — (being written)
#include "server/command_table.h"

namespace stmkv {

void register_keys_family(CommandTable& t) {}

}  // namespace stmkv
