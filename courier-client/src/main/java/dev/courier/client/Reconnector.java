package dev.courier.client;

import dev.courier.client.internal.WireConnection;
import dev.courier.protocol.ErrorCode;

/**
 * Opens connections for transfer lanes: waits out a backoff before each attempt after the first and tries again
 * while the failure is one a new connection may cure. {@code check} runs before every attempt and throws to give
 * up (the transfer stalled past its timeout, or another lane failed). Blocks: call it from a lane's own thread.
 */
final class Reconnector {
    private Reconnector() {
    }

    /** @param attempt how many attempts came before this one; 0 connects at once */
    static WireConnection open(CourierClient client, Backoff backoff, int attempt, Runnable check) {
        while (true) {
            check.run();
            if (attempt > 0) {
                sleep(backoff.delayMillis(attempt - 1));
            }
            try {
                return client.dialer().open();
            } catch (CourierException e) {
                if (!Backoff.retryable(e)) {
                    throw e;
                }
                attempt++;
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierException(ErrorCode.CONNECTION_CLOSED, "interrupted");
        }
    }
}
