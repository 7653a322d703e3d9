package dev.courier.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ErrorCode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The upload counters as a scrape shows them: what counts as a failed upload, and what only as a request. A large
 * put's probe COMMIT (answered UNKNOWN_UPLOAD) once made every such put look like a failure.
 */
class ServerMetricsUploadsTest {
    private final ServerMetrics metrics = ServerMetrics.start();

    @AfterEach
    void closeMetrics() {
        metrics.close();
    }

    private double value(String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics.scrape());
        assertThat(m.find()).as(series + " in the scrape").isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aWriteOrCommitOfAnUploadTheServerDoesNotHoldIsARequestButNotAFailedUpload() {
        long t = System.nanoTime();
        metrics.request(RequestType.UPLOAD_COMMIT, ErrorCode.UNKNOWN_UPLOAD, t);
        metrics.request(RequestType.UPLOAD_COMMIT, ErrorCode.UNKNOWN_UPLOAD, t);
        metrics.request(RequestType.UPLOAD_WRITE, ErrorCode.UNKNOWN_UPLOAD, t);

        assertThat(value("courier_uploads_failed_total")).isZero();
        assertThat(value("courier_uploads_committed_total")).isZero();
        assertThat(value("courier_requests_total{outcome=\"unknown_upload\",type=\"upload_commit\"}")).isEqualTo(2);
        assertThat(value("courier_requests_total{outcome=\"unknown_upload\",type=\"upload_write\"}")).isEqualTo(1);
    }

    @Test
    void otherCommitErrorsAndWriteErrorsAreFailedUploadsAndASuccessIsACommit() {
        long t = System.nanoTime();
        metrics.request(RequestType.UPLOAD_COMMIT, ErrorCode.VERIFICATION_FAILED, t);
        metrics.request(RequestType.UPLOAD_WRITE, ErrorCode.DISK_FULL, t);
        metrics.request(RequestType.UPLOAD_COMMIT, null, t);

        assertThat(value("courier_uploads_failed_total")).isEqualTo(2);
        assertThat(value("courier_uploads_committed_total")).isEqualTo(1);
    }
}
