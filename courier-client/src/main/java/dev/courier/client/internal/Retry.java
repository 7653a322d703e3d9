package dev.courier.client.internal;

import dev.courier.client.Backoff;
import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The client's one retry loop: it knows the backoff between attempts, the deadline, and which failures a new
 * connection may cure. {@code ResilientConnection}'s idempotent requests, a transfer's first request and a
 * transfer's reconnects all go through it; what differs between them is only what one attempt does and when to
 * give up ({@link Deadline}).
 *
 * <p>An attempt that fails with a curable failure ({@link #curable}) is followed by another after the backoff, unless
 * that one would start past the deadline; any other failure is the answer. The deadline also holds while an attempt
 * is in flight: a server that takes a request and never answers fails it at the deadline, not at the (possibly
 * longer) request timeout.
 *
 * <p>Thread-safe and non-blocking: the waits are scheduled on the given scheduler (the client's event loops).
 */
public final class Retry {
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff;

    public Retry(ScheduledExecutorService scheduler, Backoff backoff) {
        this.scheduler = scheduler;
        this.backoff = backoff;
    }

    /**
     * True for failures that a fresh connection may cure: the connection, not the request, was the problem. Every
     * other code is the server's answer to the request itself, which the same request would get again.
     */
    public static boolean curable(CourierException e) {
        return switch (e.code()) {
            case CONNECTION_FAILED, CONNECTION_CLOSED, TIMED_OUT, SHUTTING_DOWN, IDLE_TIMEOUT,
                 TOO_MANY_CONNECTIONS -> true;
            default -> false;
        };
    }

    /**
     * True for failures worth another attempt: the curable ones, and RATE_LIMITED, which the same connection cures
     * by waiting the time the server gave ({@link CourierException#retryAfterMillis()}). AUTH_REQUIRED,
     * AUTH_FAILED and FORBIDDEN are never retried: the same token gets the same answer.
     */
    public static boolean retryable(CourierException e) {
        return curable(e) || e.code() == ErrorCode.RATE_LIMITED;
    }

    /** {@link #curable(CourierException)} of the failure behind {@code t}, a failed future's cause. */
    public static boolean curable(Throwable t) {
        return CourierException.unwrap(t) instanceof CourierException e && curable(e);
    }

    /** {@link #run(int, IntFunction, Deadline, Consumer)} from the first attempt, for values that need no cleanup. */
    public <T> CompletableFuture<T> run(IntFunction<CompletableFuture<T>> attempt, Deadline deadline) {
        return run(0, attempt, deadline, value -> { });
    }

    /**
     * Runs {@code attempt} until it succeeds, fails with a failure no new connection cures, or the deadline gives up.
     *
     * @param firstAttempt the number of the first attempt: 0 starts at once; n waits out the backoff of retry n - 1
     *                     first (a lane whose new connections keep breaking backs off further each time)
     * @param attempt      starts attempt number n (counted from {@code firstAttempt}); one that throws ends the
     *                     operation with what it threw
     * @param unwanted     takes a value that arrives after the deadline gave up (a connection, to close)
     */
    public <T> CompletableFuture<T> run(int firstAttempt, IntFunction<CompletableFuture<T>> attempt, Deadline deadline,
                                        Consumer<? super T> unwanted) {
        Run<T> run = new Run<>(attempt, deadline, unwanted);
        run.watch();
        if (firstAttempt == 0) {
            run.start(0, null);
        } else {
            run.after(firstAttempt, null);
        }
        return run.result;
    }

    /** One operation being retried. */
    private final class Run<T> {
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private final IntFunction<CompletableFuture<T>> attempt;
        private final Deadline deadline;
        private final Consumer<? super T> unwanted;
        private volatile int attempts;
        private volatile ScheduledFuture<?> timer;

        Run(IntFunction<CompletableFuture<T>> attempt, Deadline deadline, Consumer<? super T> unwanted) {
            this.attempt = attempt;
            this.deadline = deadline;
            this.unwanted = unwanted;
            result.whenComplete((value, err) -> {
                ScheduledFuture<?> t = timer;
                if (t != null) {
                    t.cancel(false);
                }
            });
        }

        /** Fails the operation when the deadline passes, even in the middle of an attempt. */
        void watch() {
            if (result.isDone()) {
                return;
            }
            long left = deadline.nanosLeft(System.nanoTime());
            if (left <= 0) {
                result.completeExceptionally(deadline.expired(attempts, null));
                return;
            }
            timer = scheduler.schedule(this::watch, left, TimeUnit.NANOSECONDS); // again: the deadline may have moved
        }

        void start(int n, CourierException last) {
            if (result.isDone()) {
                return; // the deadline passed during the wait
            }
            if (deadline.nanosLeft(System.nanoTime()) <= 0) {
                result.completeExceptionally(deadline.expired(attempts, last));
                return;
            }
            attempts++;
            CompletableFuture<T> f;
            try {
                f = attempt.apply(n);
            } catch (RuntimeException e) {
                result.completeExceptionally(CourierException.unwrap(e));
                return;
            }
            f.whenComplete((value, err) -> {
                if (err == null) {
                    if (!result.complete(value)) {
                        unwanted.accept(value);
                    }
                    return;
                }
                RuntimeException e = CourierException.unwrap(err);
                if (e instanceof CourierException ce && retryable(ce)) {
                    after(n + 1, ce);
                } else {
                    result.completeExceptionally(e);
                }
            });
        }

        /**
         * Starts attempt {@code n} after the backoff of retry {@code n - 1}, and never before the retry-after the
         * server gave with the last failure, unless it would start too late.
         */
        void after(int n, CourierException last) {
            long waitMillis = Math.max(backoff.delayMillis(n - 1), last == null ? 0 : last.retryAfterMillis());
            long delayNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
            if (deadline.nanosLeft(System.nanoTime()) < delayNanos) {
                result.completeExceptionally(deadline.expired(attempts, last));
                return;
            }
            scheduler.schedule(() -> start(n, last), delayNanos, TimeUnit.NANOSECONDS);
        }
    }
}
