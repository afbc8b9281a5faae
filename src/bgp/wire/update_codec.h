// UPDATE helpers beyond codec.h: fitting NLRI into messages.
#pragma once

#include <span>
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

// Appends to `out` the UPDATEs announcing `prefixes` (all of `family`,
// unicast) with `attributes`: byte for byte what encode() gives for each
// part of split_update() of that announcement, but written straight into
// `out` with the attributes encoded once for all parts. This is the export
// hot path (a table export writes hundreds of thousands of UPDATEs), where
// building an Update per message cost a copy of the attributes, a trial
// encoding to measure them and a buffer per message. With ADD-PATH sending
// negotiated every prefix carries path id 0, as encode() writes for an
// NlriList without path ids. Returns false, writing nothing, if the
// attributes leave no room for a single prefix (the caller's bug, as for
// split_update).
bool append_announcement(const PathAttributes& attributes, Family family, std::span<const Prefix> prefixes,
                         const CodecContext& ctx, std::vector<uint8_t>& out);

// The same for withdrawing `prefixes`: the IPv4 Withdrawn Routes field, or
// MP_UNREACH_NLRI for IPv6 (RFC 4760 §4).
bool append_withdrawal(Family family, std::span<const Prefix> prefixes, const CodecContext& ctx,
                       std::vector<uint8_t>& out);

// The exact size encode(update, ctx) produces, without encoding.
size_t encoded_size(const Update& update, const CodecContext& ctx);

}  // namespace halink::bgp
