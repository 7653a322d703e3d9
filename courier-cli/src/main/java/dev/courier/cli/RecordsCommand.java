package dev.courier.cli;

import dev.courier.cli.common.Json;
import dev.courier.cli.common.Numbers;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.RecordInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "records", mixinStandardHelpOptions = true,
        description = "List the records the server holds: id, rate, samples, duration and channels (name, unit).")
final class RecordsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions server;

    @Option(names = "--json", description = "Print {\"records\": [{\"id\", \"rate_hz\", \"samples\", \"duration_s\","
            + " \"channels\": [{\"number\", \"name\", \"unit\"}]}]}, with \"start\" (ISO-8601) where known.")
    boolean json;

    @Override
    public Integer call() {
        try (CourierClient client = server.client(); Connection c = client.open()) {
            List<RecordInfo> records = c.records().join();
            PrintWriter out = spec.commandLine().getOut();
            out.print(json ? json(records) : text(records));
            out.flush();
            return 0;
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }

    static String json(List<RecordInfo> records) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("records");
            for (RecordInfo r : records) {
                g.writeStartObject();
                g.writeStringField("id", r.id());
                g.writeFieldName("rate_hz");
                g.writeNumber(Numbers.plain(r.rateHz()));
                g.writeNumberField("samples", r.sampleCount());
                g.writeFieldName("duration_s");
                g.writeNumber(Numbers.plain(r.durationSeconds()));
                if (r.startUnixMillis().isPresent()) {
                    g.writeStringField("start", Instant.ofEpochMilli(r.startUnixMillis().getAsLong()).toString());
                }
                g.writeArrayFieldStart("channels");
                for (RecordInfo.ChannelInfo ch : r.channels()) {
                    g.writeStartObject();
                    g.writeNumberField("number", ch.number());
                    g.writeStringField("name", ch.name());
                    g.writeStringField("unit", ch.unit());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }) + "\n";
    }

    private static String text(List<RecordInfo> records) {
        StringBuilder b = new StringBuilder();
        for (RecordInfo r : records) {
            StringJoiner channels = new StringJoiner(", ");
            for (RecordInfo.ChannelInfo ch : r.channels()) {
                channels.add(ch.number() + " " + ch.name() + (ch.unit().isEmpty() ? "" : " (" + ch.unit() + ")"));
            }
            b.append(String.format("%-8s %8s Hz %10d samples %10s s  %s%s%n", r.id(), Numbers.plain(r.rateHz()),
                    r.sampleCount(), Numbers.plain(r.durationSeconds()), channels,
                    r.startUnixMillis().isPresent()
                            ? "  from " + Instant.ofEpochMilli(r.startUnixMillis().getAsLong()) : ""));
        }
        return b.toString();
    }
}
