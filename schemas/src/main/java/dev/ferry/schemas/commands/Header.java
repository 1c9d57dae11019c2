package dev.ferry.schemas.commands;

import com.fasterxml.jackson.annotation.JsonFormat;

/** One HTTP header, written as a {@code [name, value]} pair; names are lower case. */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
public record Header(String name, String value) {}
