package dev.courier.server;

import dev.courier.server.files.FileService;
import dev.courier.server.points.RecordingStore;
import java.util.concurrent.ExecutorService;

/** What every connection of one server shares: its data, its files, its blocking executor and its limits. */
record ServerContext(ServerConfig config, RecordingStore recordings, FileService files, ExecutorService blocking) {
}
