// Path attributes on the wire (RFC 4271 §4.3, §5) with the RFC 7606
// outcome of each malformation. Internal to src/bgp/wire.
#pragma once

#include <bitset>
#include <optional>
#include <span>
#include <vector>

#include "bgp/wire/codec.h"

namespace halink::bgp::wire {

struct ParsedAttributes {
  PathAttributes attributes;
  // MP_REACH_NLRI / MP_UNREACH_NLRI are parts of the UPDATE, decoded by the
  // caller: their value and the whole attribute (for NOTIFICATION data).
  std::optional<std::span<const uint8_t>> mp_reach, mp_reach_whole;
  std::optional<std::span<const uint8_t>> mp_unreach, mp_unreach_whole;
  std::bitset<256> seen;  // type codes present (well-formed or not)
};

// Decodes the Path Attributes field; problems and the outcome go into `d`.
void decode_attributes(std::span<const uint8_t> bytes, const CodecContext& ctx, ParsedAttributes& out, Decoded& d);

// Appends every attribute of `a` except the MP ones, in type-code order.
// NEXT_HOP only when `with_next_hop` (IPv4 NLRI field routes).
void encode_attributes(const PathAttributes& a, bool with_next_hop, const CodecContext& ctx, std::vector<uint8_t>& out);

// One attribute TLV, with the Extended Length bit when the value needs it.
void put_attribute(std::vector<uint8_t>& out, uint8_t flags, uint8_t type, std::span<const uint8_t> value);

// Starts an attribute whose value the caller appends; finish_attribute
// fixes the length (always two octets, Extended Length set).
size_t start_attribute(std::vector<uint8_t>& out, uint8_t flags, uint8_t type);
void finish_attribute(std::vector<uint8_t>& out, size_t start);

}  // namespace halink::bgp::wire
