import { inject } from 'inversify';
import { controller, httpGet, requestParam } from 'inversify-express-utils';
import { ExampleCatalogDatasource } from '../datasources/ExampleCatalogDatasource';

/** A category, read in the integration's name. */
@controller('/categories')
export class CategoryController {
  constructor(@inject(ExampleCatalogDatasource) private readonly catalog: ExampleCatalogDatasource) {}

  @httpGet('/:id')
  async findById(@requestParam('id') id: string) {
    const category = await this.catalog.findById(id);
    return { id: category.id, name: category.name };
  }
}
