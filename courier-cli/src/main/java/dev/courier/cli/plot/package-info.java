/**
 * Pictures of what the server holds, drawn headless with XChart into PNG files: ECG strips from envelopes
 * ({@code courier plot}) and histograms as bar charts ({@code courier points --plot}). Nothing here talks to a
 * server; the commands fetch, these draw.
 */
package dev.courier.cli.plot;
