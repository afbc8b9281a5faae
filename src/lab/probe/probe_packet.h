// The traffic probe's datagram: one per flow per interval, plus end markers.
//
// Fixed 40-byte header in network byte order (a sender may pad the datagram
// beyond it; receivers ignore the padding):
//   0  magic          u32  "HLPR"
//   4  version        u8   1
//   5  kind           u8   1 data, 2 end marker
//   6  reserved       u16  0
//   8  run_id         u64  random per sender run: a restarted sender is a new run
//  16  flow           u32  flow id, 0..flows-1
//  20  sequence       u32  data: this packet's; end: the last data packet sent
//  24  send_ns        u64  data: CLOCK_MONOTONIC when sent; end: send time of
//                          that last data packet
//  32  interval_ns    u32  the flow's nominal spacing (1e9 / rate)
//  36  first_sequence u32  the flow's first data sequence number
// Sequence numbers are 32 bits and wrap; receivers extend them to 64 bits
// relative to the highest seen (serial number arithmetic, RFC 1982 §3).
// Carrying interval and first sequence in every packet lets the receiver count
// losses at the start and measure outages without being told the sender's
// options.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/result.h"

namespace halink::lab {

enum class ProbePacketKind : uint8_t { data = 1, end = 2 };

struct ProbePacket {
  ProbePacketKind kind = ProbePacketKind::data;
  uint64_t run_id = 0;
  uint32_t flow = 0;
  uint32_t sequence = 0;
  int64_t send_ns = 0;
  uint32_t interval_ns = 0;
  uint32_t first_sequence = 0;
  bool operator==(const ProbePacket&) const = default;
};

inline constexpr uint32_t probe_magic = 0x484C5052;  // "HLPR"
inline constexpr uint8_t probe_version = 1;
inline constexpr size_t probe_header_size = 40;

// Writes the header into the first probe_header_size bytes of `out`
// (which must be at least that long).
void encode_probe_packet(const ProbePacket& packet, std::span<uint8_t> out);
std::array<uint8_t, probe_header_size> encode_probe_packet(const ProbePacket& packet);

// Any datagram may arrive on the probe's port; foreign or damaged ones are
// errors the receiver counts, never a crash.
Result<ProbePacket> decode_probe_packet(std::span<const uint8_t> datagram);

}  // namespace halink::lab
