// All BFD sessions of one system: demultiplexing of received packets
// (RFC 5880 §6.8.6, RFC 5881 §3, RFC 5883 §3), one timer queue for all of
// them, and the snapshot behind `halink show bfd`.
//
// Timers: a binary heap of (deadline, session) with lazy deletion. A session
// whose deadline changes gets a new entry; the old one is recognised as stale
// by its generation number when it surfaces. on_timer(now) touches only the
// sessions that are due, so 1,000 sessions at 50 ms cost O(log n) per packet,
// not a scan per tick.
//
// Binding to a transport (the runtime's job, see transport.h):
// - receive on UDP 3784 (single hop) and 4784 (multihop), IPv4 and IPv6,
//   with IP_RECVTTL / IPV6_RECVHOPLIMIT, and pass peer, interface, port
//   kind and TTL in a PacketSource to on_packet();
// - for each SendPacket, look the session up with find(discriminator) and
//   send from a per-session source port in 49152..65535 to
//   control_port(config.multihop) on config.peer, with TTL / Hop Limit 255;
// - call on_timer() at next_deadline(); forward StateChange actions to BGP;
// - before remove(), a session should be set AdminDown and kept for a
//   detection time so the peer learns it is going (RFC 5880 §6.8.16).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <queue>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bfd/session.h"

namespace halink::bfd {

// Where a packet came from, as the transport saw it.
struct PacketSource {
  IpAddress peer;
  std::string_view interface;  // empty for multihop
  bool multihop = false;       // arrived on port 4784
  uint8_t ttl = 255;           // IP TTL / IPv6 Hop Limit
};

class Sessions {
 public:
  explicit Sessions(RandomSource random);

  // Errors: invalid config, discriminator in use, another session for the
  // same (peer, interface, multihop).
  Status add(Time now, SessionConfig config);
  bool remove(uint32_t local_discriminator);
  Status reconfigure(Time now, const SessionConfig& config);
  Status set_admin_down(Time now, uint32_t local_discriminator, bool down);

  // §6.8.6: a nonzero Your Discriminator selects the session; zero selects
  // by (peer, interface, multihop). Returns why the packet was dropped, if it was.
  DropReason on_packet(Time now, std::span<const uint8_t> bytes, const PacketSource& source);
  void on_timer(Time now);
  Time next_deadline() const;

  void drain_actions(std::vector<Action>& out);
  std::vector<Action> take_actions();

  const Session* find(uint32_t local_discriminator) const;
  const Session* find(const IpAddress& peer, std::string_view interface, bool multihop) const;
  size_t size() const { return slot_by_discriminator_.size(); }
  // Sorted by local discriminator.
  std::vector<SessionInfo> snapshot() const;
  // Packets dropped before a session was found (decode errors, unknown
  // discriminator, no session for the source).
  const Counters& unmatched() const { return unmatched_; }

 private:
  // Sessions live in slots; the timer heap refers to slots directly so that
  // a timer firing costs no hash lookup. A slot's generation only grows, so
  // a heap entry from an earlier occupant of the slot can never match.
  struct Slot {
    std::unique_ptr<Session> session;  // null: free slot
    Time scheduled = Time::never();
    uint64_t generation = 0;
  };
  struct TimerEntry {
    Time at;
    uint32_t slot;
    uint64_t generation;
    bool operator>(const TimerEntry& o) const { return at > o.at; }
  };
  struct AddressKey {
    bool multihop;
    IpAddress peer;
    std::string interface;
    auto operator<=>(const AddressKey&) const = default;
  };
  static AddressKey key_of(const SessionConfig& c);

  Session* session_at(uint32_t local_discriminator, uint32_t* slot);
  bool timer_valid(const TimerEntry& t) const {
    return slots_[t.slot].session && slots_[t.slot].generation == t.generation;
  }
  // After any call into a session: collect its actions, re-arm its timer.
  void sync(uint32_t slot);
  void drop_stale_timers();

  std::shared_ptr<RandomSource> random_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  std::unordered_map<uint32_t, uint32_t> slot_by_discriminator_;
  std::map<AddressKey, uint32_t, std::less<>> by_address_;  // to the local discriminator
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> timers_;
  std::vector<Action> actions_;
  Counters unmatched_;
  std::vector<uint32_t> due_;  // scratch for on_timer
};

}  // namespace halink::bfd
