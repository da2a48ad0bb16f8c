"""Operations endpoints: health, OpenAPI document."""
