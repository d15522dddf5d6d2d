// delivery.hpp — what connectors receive and how it reaches them (docs/delivery.md).
//
// Each connector instance runs on its own thread with its own producer thread: the producer
// turns the run's analysis and the state store into records (only those the connector has not
// accepted yet) and queues them; the sender cuts batches by count, bytes and age, writes them
// and commits the connector's delivery position together with any dead letters once the
// destination has answered. A slow or failing connector therefore never holds up another.
#pragma once

#include <journeykit/json_writer.hpp>
#include <journeykit/pipeline.hpp>
#include <journeykit/state_store.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace journeykit::internal {

struct RunContext;
class PluginInstance;

// One record on its way to a connector.
struct OutRecord {
  uint8_t stream = 0;     // index into kReceivable
  std::string type;       // "event", "journey", "stage_change", "audience_change", ...
  std::string key;        // stable key (docs/delivery.md)
  std::string json;       // one JSON object
  uint64_t position = 0;  // position streams: the event seq / audience change seq
  uint64_t digest = 0;    // keyed streams: digest of json
};

// 64-bit FNV-1a: the digest that tells whether a keyed record changed since it was delivered.
uint64_t RecordDigest(std::string_view json);

// Bounded, blocking hand-over between a producer and a sender.
class RecordQueue {
 public:
  explicit RecordQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  // Blocks while full. False once the sender has closed the queue (stop producing).
  bool Push(OutRecord record);
  enum class Pop { kRecord, kTimeout, kEnd };
  // Waits for a record until `deadline`; kEnd when the producer finished and all are taken.
  Pop PopUntil(OutRecord& out, std::chrono::steady_clock::time_point deadline);
  void Finish();  // producer: no more records
  void Close();   // sender: stop; queued records are dropped (they were never attempted)
  size_t Discarded() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<OutRecord> records_;
  size_t capacity_;
  bool finished_ = false;
  bool closed_ = false;
  size_t discarded_ = 0;
};

// Builds connector records from an analysed run (docs/delivery.md has every field).
class RecordFactory {
 public:
  RecordFactory(const JourneyAnalysis& analysis, const StateStore& store);
  Status Init();  // loads the e-mail address book

  // Events carry no e-mail, so hashing changes nothing in them.
  std::string Event(size_t index, const journeykit::Event& e) const;
  std::string Journey(uint32_t p, bool hash_emails) const;
  // One record per stage the person has entered: (key, json).
  void StageChanges(uint32_t p, bool hash_emails,
                    const std::function<void(std::string key, std::string json)>& fn) const;
  std::string AudienceChange(const journeykit::AudienceChange& c, bool hash_emails) const;

  // Person index of a person id (kNoPerson when the id is not in this run's journeys).
  uint32_t FindPerson(std::string_view person_id) const;
  bool PersonInSegments(uint32_t p, const std::vector<int>& segments) const;
  // Whether PersonEmail would write an e-mail for p: an address, or with hash_emails a hash.
  bool PersonHasEmail(uint32_t p, bool hash_emails) const;
  const JourneyAnalysis& analysis() const { return analysis_; }

 private:
  void PersonEmail(uint32_t p, bool hash_emails, json::JsonObjectWriter& w) const;
  const JourneyAnalysis& analysis_;
  const StateStore& store_;
  std::unordered_map<std::string, std::string> addresses_;  // sha256 -> address
  std::unordered_map<std::string_view, uint32_t> person_index_;
  std::vector<uint8_t> is_nps_action_;  // by action string id
};

// Everything one connector's delivery needs.
struct DeliveryJob {
  const ConnectorSpec* spec = nullptr;
  const std::string* config = nullptr;  // validated, ${env:} resolved
  PluginInstance* instance = nullptr;   // created here; owned by the caller
  StateStore* store = nullptr;
  const RecordFactory* records = nullptr;
  std::atomic<bool>* cancelled = nullptr;
  std::atomic<uint64_t>* delivered_counter = nullptr;  // progress
  LogSink log;
};

// Delivers what the connector has not accepted yet; never throws.
DeliveryReport Deliver(const DeliveryJob& job);
// Re-delivers the connector's dead letters (at most `limit`, 0: all).
DeliveryReport ReplayDeadLetters(const DeliveryJob& job, uint64_t limit);

}  // namespace journeykit::internal
