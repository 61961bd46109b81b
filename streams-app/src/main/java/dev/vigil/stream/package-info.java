/**
 * The stream-processing toolkit every stage builds on: event-time progress carried with records
 * (Stamped, SourceProgress, ProgressStamper, ProgressPartitioner, ProgressWindowProcessor), stores
 * and their serdes (ObjectCachedStore, PackedLongs, JsonSerde, SortableKeys), input lag and safe
 * metering. It knows no stage.
 */
package dev.vigil.stream;
