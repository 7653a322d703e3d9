package dev.courier.server.legacy;

import dev.courier.protocol.Failure;
import dev.courier.server.points.Recording;
import dev.courier.server.points.RecordingStore;

/**
 * Answers legacy DATA requests from the same recordings as the main protocol: person {@code n} is the record whose
 * id is {@code n} in decimal, ECG {@code k} its channel {@code k}, and the sample is the one nearest the time.
 * Records with small numeric ids are kept in an array so the hot path neither allocates nor hashes. Immutable;
 * runs on the event loop.
 */
final class LegacyPoints {
    /** Person numbers below this are looked up by index. */
    private static final int MAX_INDEXED_PERSON = 1 << 12;

    private final RecordingStore store;
    private final Recording[] byPerson;

    LegacyPoints(RecordingStore store) {
        this.store = store;
        int highest = -1;
        for (Recording r : store.recordings()) {
            highest = Math.max(highest, person(r.id()));
        }
        this.byPerson = new Recording[highest + 1];
        for (Recording r : store.recordings()) {
            int person = person(r.id());
            if (person >= 0) {
                byPerson[person] = r;
            }
        }
    }

    /**
     * The value of the sample the request names.
     *
     * @throws Failure UNKNOWN_RECORD, UNKNOWN_CHANNEL, TIME_OUT_OF_RANGE or MALFORMED_REQUEST (NaN time)
     */
    double value(LegacyRequest.Data request) {
        int person = request.person();
        Recording r = person >= 0 && person < byPerson.length ? byPerson[person] : null;
        if (r == null) {
            r = store.recording(String.valueOf(person));
        }
        int index = r.sampleIndex(request.timeSeconds());
        return r.value(request.ecg(), index);
    }

    /** The person number a record id stands for, or -1 if it is not one written the way the old server did. */
    private static int person(String id) {
        if (id.isEmpty() || id.length() > 4 || (id.length() > 1 && id.charAt(0) == '0')) {
            return -1;
        }
        int n = 0;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n < MAX_INDEXED_PERSON ? n : -1;
    }
}
