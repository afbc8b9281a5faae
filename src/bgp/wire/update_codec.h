// UPDATE helpers beyond codec.h: fitting NLRI into messages.
#pragma once

#include <vector>

#include "bgp/wire/codec.h"

namespace halink::bgp {

// Splits `update` into UPDATEs that each encode within ctx.max_size()
// (RFC 4271 §4.1, RFC 8654). Withdrawals (IPv4 field and MP_UNREACH) come
// first in messages of their own, then the announcements, each message
// carrying the full attribute set and as many NLRI as fit; RFC 7606 §5.1's
// one-NLRI-carrier-per-UPDATE rule is kept. Families in `unsupported` ride
// in one extra message with the attributes. An UPDATE without NLRI (an
// End-of-RIB, attributes only) is returned unchanged. If the attributes alone
// leave no room for a single prefix the result is empty: the caller's bug.
std::vector<Update> split_update(const Update& update, const CodecContext& ctx);

// The exact size encode(update, ctx) produces, without encoding.
size_t encoded_size(const Update& update, const CodecContext& ctx);

}  // namespace halink::bgp
