// One BFD session in Asynchronous mode (RFC 5880), sans-IO.
//
// Lifecycle (RFC 5880 §6.2, state table in §6.8.6):
//
//   AdminDown --admin up--> Down --rx Down--> Init --rx Init/Up--> Up
//                           Down --rx Init----------------------> Up
//   Init/Up --detection time expires (diag 1)--> Down
//   Init/Up --rx AdminDown (diag 3)-----------> Down
//   Up      --rx Down (diag 3)----------------> Down
//   any     --admin down (diag 7)-------------> AdminDown
//
// Driving it: feed received packets to on_packet(), call on_timer() at
// next_deadline(), and drain the actions (packets to send, state changes).
// Time and randomness come in from the caller; nothing here reads a clock.
//
// Not implemented, as allowed by the issue: Demand mode is never requested
// (the D bit is never set; a peer's D bit is honoured as §6.8.7 requires) and
// the Echo function is never used (Required Min Echo RX Interval is sent as 0).
// The session always takes the Active role (§6.1).
//
// Timer changes (§6.8.3): a change of Desired Min TX or Required Min RX is
// advertised with a Poll Sequence on the scheduled packets; a larger
// transmit interval and a smaller receive interval take effect only at the
// Final. A second change during a Poll waits for it and for one more packet
// without Final (the third option of §6.8.3), so every Final is unambiguous.
// While not Up, Desired Min TX is at least 1 s.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "bfd/auth.h"
#include "bfd/packet.h"
#include "core/ip.h"
#include "core/result.h"
#include "core/time.h"

namespace halink::bfd {

// Uniformly distributed 32-bit values: per-packet jitter (RFC 5880 §6.8.7) and
// the initial authentication sequence number (§6.8.1 bfd.XmitAuthSeq).
using RandomSource = std::function<uint32_t()>;

// RFC 5880 §6.8.3: while not Up, bfd.DesiredMinTxInterval is at least 1 s.
constexpr Duration slow_transmit_interval = Duration::seconds(1);
// Intervals travel as 32-bit microsecond counts (§4.1).
constexpr Duration max_interval = Duration::microseconds(0xFFFF'FFFFLL);

struct SessionConfig {
  // bfd.LocalDiscr: nonzero and unique on this system; the caller allocates it.
  uint32_t local_discriminator = 0;
  IpAddress peer;
  std::optional<IpAddress> local_address;
  std::string interface;  // single hop: the interface towards the peer (RFC 5881 §3)
  bool multihop = false;  // RFC 5883: port 4784, no TTL 255 requirement
  // RFC 5883 §5: multihop packets with a smaller TTL are dropped; 0 = no check.
  uint8_t multihop_min_ttl = 0;
  Duration desired_min_tx = Duration::milliseconds(300);
  Duration required_min_rx = Duration::milliseconds(300);
  uint8_t detect_mult = 3;
  AuthConfig auth;
  bool admin_down = false;
};

// Every configuration error (zero discriminator, zero multiplier, interval
// out of range, bad key, ...) as a Status with a message for the user.
Status validate(const SessionConfig& config);

// ---- Actions the caller drains.

// Send `packet` to the session's peer (addresses and port from its config).
struct SendPacket {
  uint32_t local_discriminator = 0;
  PacketBuffer packet;
};

// bfd.SessionState changed. `diag` is the local diagnostic explaining it
// (No Diagnostic when coming Up); `reason` is for humans and logs.
struct StateChange {
  uint32_t local_discriminator = 0;
  State old_state = State::down;
  State new_state = State::down;
  Diag diag = Diag::none;
  std::string reason;
  Time at;
};

// "Up -> Down (Control Detection Time Expired): no BFD packet for 150ms ..."
std::string to_string(const StateChange& change);

using Action = std::variant<SendPacket, StateChange>;

struct Counters {
  uint64_t rx_packets = 0;  // accepted
  uint64_t tx_packets = 0;
  uint64_t dropped = 0;
  std::array<uint64_t, drop_reason_count> dropped_by_reason{};
  uint64_t up_transitions = 0;
  uint64_t down_transitions = 0;  // from Up to Down or AdminDown

  void count_drop(DropReason reason) {
    ++dropped;
    ++dropped_by_reason[static_cast<size_t>(reason)];
  }
};

// What `halink show bfd` shows for one session.
struct SessionInfo {
  uint32_t local_discriminator = 0;
  uint32_t remote_discriminator = 0;
  IpAddress peer;
  std::optional<IpAddress> local_address;
  std::string interface;
  bool multihop = false;
  State state = State::down;
  State remote_state = State::down;
  Diag local_diag = Diag::none;
  Diag remote_diag = Diag::none;
  uint8_t detect_mult = 0;
  uint8_t remote_detect_mult = 0;
  Duration desired_min_tx;          // as sent (≥ 1 s while not Up)
  Duration required_min_rx;         // as sent
  Duration remote_desired_min_tx;   // last received
  Duration remote_required_min_rx;  // last received
  Duration transmit_interval;       // negotiated, before jitter
  Duration detection_time;          // infinite until a packet was received
  bool poll_in_progress = false;
  AuthType auth_type = AuthType::none;
  std::optional<Time> up_since;
  Time last_state_change;
  Counters counters;
};

class Session {
 public:
  // Fails with the validate() message on a bad configuration.
  static Result<Session> create(SessionConfig config, RandomSource random, Time now);

  // A received packet: UDP payload and the IP TTL / Hop Limit it arrived with.
  DropReason on_packet(Time now, std::span<const uint8_t> bytes, uint8_t ttl);
  // The same after decode_control_packet() succeeded (Sessions decodes once
  // to demultiplex). `bytes` must be the bytes `packet` was decoded from.
  DropReason on_decoded_packet(Time now, const ControlPacket& packet, std::span<const uint8_t> bytes, uint8_t ttl);

  void on_timer(Time now);
  // When on_timer() must next run; never before now after on_timer(now).
  Time next_deadline() const;

  // Configuration changes (RFC 5880 §6.8.3, §6.8.10-§6.8.12, §6.8.16).
  Status set_desired_min_tx(Time now, Duration interval);
  Status set_required_min_rx(Time now, Duration interval);
  Status set_detect_mult(Time now, uint8_t multiplier);
  Status set_auth(Time now, AuthConfig auth);
  void set_admin_down(Time now, bool down);
  // Applies a reloaded config; the session identity (discriminator, peer,
  // local address, interface, multihop) must not change.
  Status reconfigure(Time now, const SessionConfig& config);

  // Appends the pending actions to `out` and forgets them.
  void drain_actions(std::vector<Action>& out);
  std::vector<Action> take_actions();

  State state() const { return state_; }
  Diag local_diag() const { return local_diag_; }
  uint32_t local_discriminator() const { return config_.local_discriminator; }
  uint32_t remote_discriminator() const { return remote_discriminator_; }
  const SessionConfig& config() const { return config_; }
  const Counters& counters() const { return counters_; }
  bool poll_in_progress() const { return poll_active_; }
  // Negotiated transmit interval before jitter: max(DesiredMinTx in effect, RemoteMinRx).
  Duration transmit_interval() const;
  // Remote Detect Mult × max(RequiredMinRx in effect, remote Desired Min TX) (§6.8.4).
  Duration detection_time() const;
  SessionInfo info() const;

 private:
  Session(SessionConfig config, RandomSource random, Time now);

  // The packet fields other than Poll and Final (§6.8.7), to tell a changed
  // packet from a repeated one.
  struct Contents {
    State state;
    Diag diag;
    uint8_t detect_mult;
    uint32_t your_discriminator;
    Duration desired_min_tx;
    Duration required_min_rx;
    bool operator==(const Contents&) const = default;
  };

  Duration target_desired_min_tx() const;
  bool remote_demand_active() const;
  bool periodic_transmit_allowed() const;
  Duration jittered(Duration interval);
  Contents current_contents() const;
  bool urgent_change() const;

  void change_state(Time now, State to, std::optional<Diag> diag, std::string reason);
  void apply_timer_changes(Time now);
  void end_poll(Time now);
  void cancel_poll();
  void intervals_changed(Time now);
  void reschedule_transmit(Time now);
  void update_detection_deadline();
  void detection_time_expired(Time now);
  void transmit(Time now, bool final, bool periodic);
  void send_if_contents_changed(Time now);

  SessionConfig config_;
  RandomSource random_;

  State state_ = State::down;
  State remote_state_ = State::down;
  Diag local_diag_ = Diag::none;
  Diag remote_diag_ = Diag::none;
  uint32_t remote_discriminator_ = 0;
  Duration remote_min_rx_ = Duration::microseconds(1);  // §6.8.1: initialised to 1
  Duration remote_desired_min_tx_;
  uint8_t remote_detect_mult_ = 0;
  bool remote_demand_ = false;

  // What packets carry (bfd.DesiredMinTxInterval, bfd.RequiredMinRxInterval)
  // and what is in effect for our transmit interval and the detection time;
  // they differ while a Poll Sequence protects a change (§6.8.3).
  Duration advertised_min_tx_;
  Duration advertised_min_rx_;
  Duration effective_min_tx_;
  Duration effective_min_rx_;
  bool poll_active_ = false;
  // A Poll Sequence just ended while another change waits; the next poll
  // starts after a packet without Final arrives (§6.8.3, third option).
  bool awaiting_non_final_ = false;

  Time last_rx_ = Time::never();
  Time detection_deadline_ = Time::never();
  Time auth_sequence_reset_deadline_ = Time::never();
  Time last_tx_ = Time::never();
  Time next_tx_ = Time::never();
  Duration scheduled_interval_;
  bool scheduled_allowed_ = false;
  std::optional<Contents> last_sent_;

  AuthReceiveState auth_receive_;
  uint32_t transmit_sequence_ = 0;  // bfd.XmitAuthSeq

  std::optional<Time> up_since_;
  Time last_state_change_;
  Counters counters_;
  std::vector<Action> actions_;
};

}  // namespace halink::bfd
