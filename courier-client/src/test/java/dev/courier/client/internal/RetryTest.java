package dev.courier.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.courier.client.Backoff;
import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one retry loop on its own: which failures it retries, when it gives up and with what. */
class RetryTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Retry retry = new Retry(scheduler, new Backoff(1, 2));

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private static <T> CompletableFuture<T> failing(ErrorCode code) {
        return CompletableFuture.failedFuture(new CourierException(code, "attempt failed with " + code));
    }

    private static CourierException failure(CompletableFuture<?> f) {
        Throwable t = catchThrowable(() -> f.get(10, TimeUnit.SECONDS));
        assertThat(CourierException.unwrap(t)).isInstanceOf(CourierException.class);
        return (CourierException) CourierException.unwrap(t);
    }

    @Test
    void onlyFailuresOfTheConnectionAreCurable() {
        List<ErrorCode> curable = new ArrayList<>();
        for (ErrorCode code : ErrorCode.values()) {
            if (Retry.curable(new CourierException(code, ""))) {
                curable.add(code);
            }
        }
        assertThat(curable).containsExactlyInAnyOrder(ErrorCode.CONNECTION_FAILED, ErrorCode.CONNECTION_CLOSED,
                ErrorCode.TIMED_OUT, ErrorCode.SHUTTING_DOWN, ErrorCode.IDLE_TIMEOUT, ErrorCode.TOO_MANY_CONNECTIONS);
    }

    @Test
    void aFailureNoNewConnectionCuresIsTheAnswerAtOnce() {
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<String> r = retry.run(n -> {
            attempts.incrementAndGet();
            return failing(ErrorCode.NOT_FOUND);
        }, Deadline.in(10_000));
        assertThat(failure(r).code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(attempts.get()).isEqualTo(1);
    }

    @Test
    void curableFailuresAreRetriedWithTheNextAttemptNumberUntilOneSucceeds() throws Exception {
        List<Integer> numbers = new CopyOnWriteArrayList<>();
        CompletableFuture<String> r = retry.run(n -> {
            numbers.add(n);
            return n < 2 ? failing(ErrorCode.CONNECTION_CLOSED) : CompletableFuture.completedFuture("answer");
        }, Deadline.in(10_000));
        assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo("answer");
        assertThat(numbers).containsExactly(0, 1, 2);
    }

    @Test
    void aRetryThatWouldStartPastTheDeadlineGivesUpNamingTheAttemptsAndTheLastError() {
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<String> r = retry.run(n -> {
            attempts.incrementAndGet();
            return failing(ErrorCode.CONNECTION_FAILED);
        }, Deadline.in(100));
        CourierException e = failure(r);
        assertThat(e.code()).isEqualTo(ErrorCode.TIMED_OUT);
        assertThat(e.getMessage()).contains("gave up after " + attempts.get() + " attempts within 100 ms")
                .contains("CONNECTION_FAILED: attempt failed with CONNECTION_FAILED");
        assertThat(e.getCause()).isInstanceOf(CourierException.class);
    }

    @Test
    void theDeadlineHoldsWhileAnAttemptIsInFlight() {
        long start = System.nanoTime();
        CompletableFuture<String> r = retry.run(n -> new CompletableFuture<>(), Deadline.in(200)); // never answered
        CourierException e = failure(r);
        assertThat(e.code()).isEqualTo(ErrorCode.TIMED_OUT);
        assertThat(e.getMessage()).isEqualTo("no answer within 200 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void aValueThatArrivesAfterTheDeadlineGaveUpIsHandedOverToBeDisposedOf() throws Exception {
        CompletableFuture<String> late = new CompletableFuture<>();
        CompletableFuture<String> unwanted = new CompletableFuture<>();
        CompletableFuture<String> r = retry.run(0, n -> late, Deadline.in(50), unwanted::complete);
        assertThat(failure(r).code()).isEqualTo(ErrorCode.TIMED_OUT);
        late.complete("a connection opened too late");
        assertThat(unwanted.get(10, TimeUnit.SECONDS)).isEqualTo("a connection opened too late");
    }

    @Test
    void aDeadlineThatMovesOnKeepsAnAttemptInFlightGoing() throws Exception {
        // A transfer's stall deadline moves on while other lanes make progress. Here it first says 50 ms are left,
        // and 60 s whenever it is asked again: the watch that wakes at 50 ms must look again, not cut the attempt off.
        AtomicInteger looks = new AtomicInteger();
        CompletableFuture<String> slow = new CompletableFuture<>();
        Deadline moving = new Deadline() {
            @Override
            public long nanosLeft(long nowNanos) {
                int look = looks.incrementAndGet();
                if (look == 3) { // the watch woke up (after the first look and the attempt's own): answer now
                    slow.completeAsync(() -> "answered", scheduler);
                }
                return look == 1 ? TimeUnit.MILLISECONDS.toNanos(50) : TimeUnit.SECONDS.toNanos(60);
            }

            @Override
            public RuntimeException expired(int attempts, CourierException last) {
                return new CourierException(ErrorCode.TIMED_OUT, "stalled");
            }
        };
        assertThat(retry.run(n -> slow, moving).get(10, TimeUnit.SECONDS)).isEqualTo("answered");
        assertThat(looks.get()).isGreaterThanOrEqualTo(3);
    }
}
