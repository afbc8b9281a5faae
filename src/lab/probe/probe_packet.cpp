#include "lab/probe/probe_packet.h"

#include <string>

namespace halink::lab {
namespace {

void put(std::span<uint8_t> out, size_t offset, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[offset + i] = uint8_t(value >> (8 * (bytes - 1 - i)));
}

uint64_t get(std::span<const uint8_t> in, size_t offset, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | in[offset + i];
  return value;
}

}  // namespace

void encode_probe_packet(const ProbePacket& packet, std::span<uint8_t> out) {
  put(out, 0, probe_magic, 4);
  put(out, 4, probe_version, 1);
  put(out, 5, uint8_t(packet.kind), 1);
  put(out, 6, 0, 2);
  put(out, 8, packet.run_id, 8);
  put(out, 16, packet.flow, 4);
  put(out, 20, packet.sequence, 4);
  put(out, 24, uint64_t(packet.send_ns), 8);
  put(out, 32, packet.interval_ns, 4);
  put(out, 36, packet.first_sequence, 4);
}

std::array<uint8_t, probe_header_size> encode_probe_packet(const ProbePacket& packet) {
  std::array<uint8_t, probe_header_size> bytes{};
  encode_probe_packet(packet, bytes);
  return bytes;
}

Result<ProbePacket> decode_probe_packet(std::span<const uint8_t> datagram) {
  if (datagram.size() < probe_header_size)
    return Error{"probe datagram of " + std::to_string(datagram.size()) + " bytes, shorter than its header"};
  if (get(datagram, 0, 4) != probe_magic) return Error{"not a probe datagram (magic)"};
  if (get(datagram, 4, 1) != probe_version)
    return Error{"probe datagram version " + std::to_string(get(datagram, 4, 1)) + ", expected 1"};
  uint64_t kind = get(datagram, 5, 1);
  if (kind != uint8_t(ProbePacketKind::data) && kind != uint8_t(ProbePacketKind::end))
    return Error{"probe datagram of unknown kind " + std::to_string(kind)};
  ProbePacket packet;
  packet.kind = ProbePacketKind(kind);
  packet.run_id = get(datagram, 8, 8);
  packet.flow = uint32_t(get(datagram, 16, 4));
  packet.sequence = uint32_t(get(datagram, 20, 4));
  packet.send_ns = int64_t(get(datagram, 24, 8));
  packet.interval_ns = uint32_t(get(datagram, 32, 4));
  packet.first_sequence = uint32_t(get(datagram, 36, 4));
  if (packet.interval_ns == 0) return Error{"probe datagram with a zero interval"};
  return packet;
}

}  // namespace halink::lab
